//! Progress on standard error.

use std::io::IsTerminal;

/// Progress on standard error: a bar on a terminal, plain lines otherwise (logs, CI).
pub(super) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    label: &'static str,
    total: Option<u64>,
}

impl Progress {
    pub(super) fn new(label: &'static str, total: Option<u64>) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = match total {
                Some(n) => indicatif::ProgressBar::new(n),
                None => indicatif::ProgressBar::new_spinner(),
            };
            bar.set_message(label);
            bar
        });
        Progress { bar, label, total }
    }

    pub(super) fn set(&self, done: u64) {
        match &self.bar {
            Some(bar) => bar.set_position(done),
            None if done.is_multiple_of(10_000) => {
                eprintln!("{}: {done}/{}", self.label, self.total.unwrap_or(0))
            }
            None => {}
        }
    }

    pub(super) fn finish(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.finish_with_message(message.to_owned()),
            None => eprintln!("{message}"),
        }
    }
}
