# Operator files (issue 16 item 5): Prometheus alert rules (promtool check + unit tests) and
# the Grafana dashboard (valid PromQL over metrics `wsguard serve` exports), and the same
# rules over the Python guard's real /metrics (uvicorn, ops/python_exposition.py); see ops/check.sh.
suite_ops() { run_suite ops tally_plain bash ops/check.sh; }
SUITES_DEFAULT="$SUITES_DEFAULT ops"
