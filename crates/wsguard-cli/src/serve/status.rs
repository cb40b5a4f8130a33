//! `GET /wsguard`: a small live status page of `wsguard serve`, rendered from the same
//! counters as `/metrics` (accepted, refused by reason, closes by category and code,
//! heartbeat timeouts) plus the server's gauges. Refreshes itself every 5 s; no script,
//! no external resource (safe under any CSP). Every label is HTML-escaped.

use super::Shared;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;

/// The page's HTML.
pub fn page(shared: &Shared) -> String {
    let snap = shared.counters.snapshot();
    let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    let mut h = String::with_capacity(4096);
    h.push_str(concat!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta http-equiv=\"refresh\" content=\"5\"><title>wsguard status</title>",
        // No favicon request: it would be counted as a refused path.
        "<link rel=\"icon\" href=\"data:,\"><style>",
        "body{font:15px/1.4 system-ui,sans-serif;margin:2em;color:#1d2230;background:#f6f7f9}",
        "h1{font-size:1.4em;margin:0 0 .8em}h2{font-size:1.05em;margin:1.4em 0 .4em}",
        ".cards{display:flex;flex-wrap:wrap;gap:12px}",
        ".card{background:#fff;border:1px solid #d8dce3;border-radius:8px;padding:10px 16px;min-width:150px}",
        ".card b{display:block;font-size:1.6em}.bad b{color:#b3261e}.good b{color:#1b7f3b}",
        "table{border-collapse:collapse;background:#fff;min-width:360px}",
        "td,th{border:1px solid #d8dce3;padding:4px 10px;text-align:left}td.n{text-align:right}",
        "footer{margin-top:2em;color:#5b6272;font-size:.9em}</style></head><body>",
        "<h1>wsguard serve — live status</h1><div class=\"cards\">"
    ));
    let total = snap.accepted + snap.refused_total;
    let share = if total == 0 {
        "–".to_string()
    } else {
        format!("{:.1} %", 100.0 * snap.refused_total as f64 / total as f64)
    };
    let cards: [(&str, String, &str); 6] = [
        ("open connections", load(&shared.active).to_string(), ""),
        ("upgrades accepted", snap.accepted.to_string(), "good"),
        ("upgrades refused", snap.refused_total.to_string(), "bad"),
        ("refused share", share, ""),
        (
            "heartbeat timeouts",
            snap.heartbeat_timeouts.to_string(),
            "",
        ),
        (
            "uptime",
            format!("{} s", shared.started.elapsed().as_secs()),
            "",
        ),
    ];
    for (label, value, class) in cards {
        let _ = write!(
            h,
            "<div class=\"card {class}\" id=\"{}\"><b>{value}</b>{label}</div>",
            label.replace(' ', "-")
        );
    }
    h.push_str("</div>");
    table(&mut h, "Refusals by reason", "reason", snap.refused.iter());
    table(
        &mut h,
        "Closes by category",
        "category",
        snap.closes_by_category.iter(),
    );
    let codes: Vec<(String, &u64)> = snap
        .closes_by_code
        .iter()
        .map(|(c, n)| {
            (
                if *c == 0 {
                    "other".into()
                } else {
                    c.to_string()
                },
                n,
            )
        })
        .collect();
    table(
        &mut h,
        "Closes by code",
        "code",
        codes.iter().map(|(c, n)| (c, *n)),
    );
    let _ = write!(
        h,
        "<h2>Traffic</h2><p>{} messages, {} bytes echoed; {} pings sent, {} pongs received.</p>",
        load(&shared.messages),
        load(&shared.bytes),
        load(&shared.pings),
        load(&shared.pongs)
    );
    h.push_str(
        "<footer>Machine-readable: <a href=\"/metrics\">/metrics</a> (Prometheus), \
         <a href=\"/health\">/health</a> (JSON). Explain a code: <code>wsguard explain CODE</code>.\
         </footer></body></html>",
    );
    h
}

/// A two-column table `label | count`, or a line saying there is nothing yet.
fn table<'a, K: std::fmt::Display + 'a>(
    h: &mut String,
    title: &str,
    key: &str,
    rows: impl Iterator<Item = (&'a K, &'a u64)>,
) {
    let _ = write!(h, "<h2>{title}</h2>");
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        h.push_str("<p>none yet</p>");
        return;
    }
    let _ = write!(h, "<table><tr><th>{key}</th><th>count</th></tr>");
    for (k, n) in rows {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{n}</td></tr>",
            escape(&k.to_string())
        );
    }
    h.push_str("</table>");
}

/// HTML text escaping (labels come from the core's static codes, but never trust a label).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escape_is_exact() {
        assert_eq!(
            super::escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }
}
