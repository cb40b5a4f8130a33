//! Terminal styling: colour only when the stream is a TTY (or forced), never in pipes,
//! honouring `NO_COLOR` and `--color`.

use std::io::IsTerminal;

/// The `--color` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// A palette that renders to plain text when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    on: bool,
}

impl Style {
    /// Decides for stdout.
    pub fn for_stdout(choice: ColorChoice) -> Style {
        Style {
            on: decide(choice, std::io::stdout().is_terminal()),
        }
    }

    /// Decides for stderr.
    pub fn for_stderr(choice: ColorChoice) -> Style {
        Style {
            on: decide(choice, std::io::stderr().is_terminal()),
        }
    }

    /// Plain text, no escapes (tests).
    #[cfg(test)]
    pub const fn plain() -> Style {
        Style { on: false }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Bold.
    pub fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    /// Dim grey: secondary detail.
    pub fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
    /// Green: success.
    pub fn ok(&self, t: &str) -> String {
        self.paint("1;32", t)
    }
    /// Red: refusal / failure.
    pub fn bad(&self, t: &str) -> String {
        self.paint("1;31", t)
    }
    /// Yellow: warning.
    pub fn warn(&self, t: &str) -> String {
        self.paint("1;33", t)
    }
    /// Cyan: names, codes, values.
    pub fn code(&self, t: &str) -> String {
        self.paint("36", t)
    }
    /// Blue bold: headings.
    pub fn heading(&self, t: &str) -> String {
        self.paint("1;34", t)
    }
}

fn decide(choice: ColorChoice, is_tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_tty
                && std::env::var_os("NO_COLOR")
                    .map(|v| v.is_empty())
                    .unwrap_or(true)
                && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(true)
        }
    }
}

/// Wraps `text` so no line passes column `width`, for text printed after a prefix of
/// `indent` columns; continuation lines are indented by `indent` spaces.
pub fn wrap(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut col = indent;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        if col > indent && col + 1 + w > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
        } else if col > indent {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += w;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_style_has_no_escapes() {
        let s = Style::plain();
        assert_eq!(s.bad("refused"), "refused");
        assert_eq!(s.ok("ok"), "ok");
    }

    #[test]
    fn forced_colour_wraps_in_sgr() {
        let s = Style { on: true };
        assert_eq!(s.ok("ok"), "\x1b[1;32mok\x1b[0m");
    }

    #[test]
    fn never_means_never() {
        assert!(!decide(ColorChoice::Never, true));
        assert!(decide(ColorChoice::Always, false));
        assert!(!decide(ColorChoice::Auto, false));
    }

    #[test]
    fn wrap_breaks_on_words() {
        assert_eq!(wrap("aaa bbb ccc", 9, 2), "aaa bbb\n  ccc");
        assert_eq!(wrap("one", 80, 4), "one");
    }
}
