# The bounded adversarial soak (issue #18, scripts/soak.sh --scale smoke; `make soak` runs
# the full counts): slowloris, idle and fd floods, non-reading clients, unfinished
# messages, ping floods, huge announcements, resets and half-closes mid-frame, oversized
# heads, injected log text and hostile servers for the probe, against wsguard serve and the
# tokio guard beside tokio-tungstenite, Node ws and the Python guard under uvicorn, with a
# well-behaved client throughout. Criteria are counts and codes, never times.
suite_soak() { run_suite soak tally_plain bash scripts/soak.sh --scale smoke; }
SUITES_DEFAULT="$SUITES_DEFAULT soak"
