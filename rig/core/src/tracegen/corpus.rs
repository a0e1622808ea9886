//! The labelled corpus (`fixtures/traces/`): `labels.csv` and scoring a classifier on it.
//!
//! `labels.csv` has one row per trace file: `file,colour,cadence,sensor,disturbances`.
//! `colour`/`cadence` are the expected answer: an indication (`off,steady`,
//! `green,flash`, `on,wink` for colourless sensors); `cadence = no-fit` with the colour of
//! a regular blink no row of the cadence table fits; `cadence = not-enough-evidence` where
//! the trace cannot support an answer (the colour column then says what the light really
//! showed, for the reader). `sensor` is the setup (`rgbc`, `level`, `lcd-level`,
//! `lcd-rgbc`); `disturbances` lists what the trace was made with.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::observe::{Classifier, Reading, Watch};
use crate::source::InputError;
use crate::spec::{Cadence, CadenceTable, Colour, Indication, WordError};

use super::Trace;

pub const LABELS_FILE: &str = "labels.csv";

/// The expected cadence column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    Cadence(Cadence),
    NoFit,
    NotEnoughEvidence,
}

impl Verdict {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Verdict::Cadence(c) => c.name(),
            Verdict::NoFit => "no-fit",
            Verdict::NotEnoughEvidence => "not-enough-evidence",
        }
    }

    fn parse(s: &str) -> Result<Verdict, WordError> {
        match s {
            "no-fit" => Ok(Verdict::NoFit),
            "not-enough-evidence" => Ok(Verdict::NotEnoughEvidence),
            c => c.parse().map(Verdict::Cadence),
        }
    }
}

/// One row of `labels.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub file: String,
    pub colour: Colour,
    pub cadence: Verdict,
    pub sensor: String,
    pub disturbances: String,
}

impl Label {
    pub(crate) fn expected(&self) -> Answer {
        match self.cadence {
            Verdict::Cadence(c) => Answer::Seen(Indication::new(self.colour, c)),
            Verdict::NoFit => Answer::NoFit(self.colour),
            Verdict::NotEnoughEvidence => Answer::NotEnoughEvidence,
        }
    }
}

/// A classifier's answer, reduced to what is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Answer {
    Seen(Indication),
    NoFit(Colour),
    NotEnoughEvidence,
}

impl Answer {
    pub(crate) fn of(reading: &Reading) -> Answer {
        match reading {
            Reading::Seen(o) => Answer::Seen(o.indication),
            Reading::NoCadenceFits { colour, .. } => Answer::NoFit(*colour),
            Reading::NotEnoughEvidence => Answer::NotEnoughEvidence,
        }
    }

    /// Column of the colour confusion matrix.
    fn colour_name(self) -> &'static str {
        match self {
            Answer::Seen(i) => i.colour.name(),
            Answer::NoFit(c) => c.name(),
            Answer::NotEnoughEvidence => "n/e",
        }
    }

    /// Column of the cadence confusion matrix.
    fn cadence_name(self) -> &'static str {
        match self {
            Answer::Seen(i) => i.cadence.name(),
            Answer::NoFit(_) => "no-fit",
            Answer::NotEnoughEvidence => "n/e",
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Seen(i) => write!(f, "{i}"),
            Answer::NoFit(c) => write!(f, "{c} no-fit"),
            Answer::NotEnoughEvidence => f.write_str("not-enough-evidence"),
        }
    }
}

/// A corpus that cannot be read or written: which file (and row), and why.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{}: {source}", path.display())]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A row of `labels.csv` whose colour or cadence is no word of the spec.
    #[error("{} row {row}: {source}", path.display())]
    Label {
        path: PathBuf,
        row: usize,
        source: WordError,
    },
    #[error(transparent)]
    Trace(#[from] InputError),
}

pub fn write_labels(path: impl AsRef<Path>, labels: &[Label]) -> Result<(), CorpusError> {
    let path = path.as_ref();
    let fail = |source: csv::Error| CorpusError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut w = csv::Writer::from_path(path).map_err(fail)?;
    w.write_record(["file", "colour", "cadence", "sensor", "disturbances"])
        .map_err(fail)?;
    for l in labels {
        w.write_record([
            l.file.as_str(),
            l.colour.name(),
            l.cadence.name(),
            l.sensor.as_str(),
            l.disturbances.as_str(),
        ])
        .map_err(fail)?;
    }
    w.flush().map_err(|source| CorpusError::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub(crate) fn read_labels(path: impl AsRef<Path>) -> Result<Vec<Label>, CorpusError> {
    let path = path.as_ref();
    let fail = |source: csv::Error| CorpusError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut r = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(fail)?;
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(fail)?;
        let at = |source: WordError| CorpusError::Label {
            path: path.to_path_buf(),
            row: i + 2,
            source,
        };
        let field = |k: usize| rec.get(k).unwrap_or("").to_string();
        out.push(Label {
            file: field(0),
            colour: field(1).parse().map_err(at)?,
            cadence: Verdict::parse(&field(2)).map_err(at)?,
            sensor: field(3),
            disturbances: field(4),
        });
    }
    Ok(out)
}

/// A labelled trace.
#[derive(Debug, Clone)]
pub struct Case {
    pub label: Label,
    pub trace: Trace,
}

/// Every labelled trace of a corpus folder.
pub fn load(dir: impl AsRef<Path>) -> Result<Vec<Case>, CorpusError> {
    let dir = dir.as_ref();
    read_labels(dir.join(LABELS_FILE))?
        .into_iter()
        .map(|label| {
            let trace = Trace::read(dir.join(&label.file))?;
            Ok(Case { label, trace })
        })
        .collect()
}

/// One trace's score.
#[derive(Debug, Clone)]
pub(crate) struct Scored {
    pub(crate) label: Label,
    pub(crate) got: Answer,
    pub(crate) reading: Reading,
}

impl Scored {
    pub(crate) fn correct(&self) -> bool {
        self.got == self.label.expected()
    }

    /// A confusion the issue rules out entirely: steady ↔ wink, off ↔ grey or any lit
    /// light (a lit light read dark, or a dark one read lit).
    pub(crate) fn forbidden(&self) -> bool {
        let (Answer::Seen(want), Answer::Seen(got)) = (self.label.expected(), self.got) else {
            return false;
        };
        let pair = |a: Cadence, b: Cadence| {
            (want.cadence == a && got.cadence == b) || (want.cadence == b && got.cadence == a)
        };
        let steady_wink = want.colour != Colour::Off
            && got.colour != Colour::Off
            && pair(Cadence::Steady, Cadence::Wink);
        let off_lit = (want.colour == Colour::Off) != (got.colour == Colour::Off);
        steady_wink || off_lit
    }

    /// A lit light named in another colour (`on`, a colour the sensor cannot be sure of,
    /// is no wrong colour).
    pub(crate) fn wrong_colour(&self) -> bool {
        let (Answer::Seen(want), Answer::Seen(got)) = (self.label.expected(), self.got) else {
            return false;
        };
        let named = |c: Colour| c != Colour::Off && c != Colour::On;
        named(want.colour) && named(got.colour) && want.colour != got.colour
    }
}

/// A corpus scored by a classifier.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub(crate) scored: Vec<Scored>,
}

impl Evaluation {
    /// Classify every trace as a whole (what it shows at its end).
    pub fn run(cases: &[Case], table: &CadenceTable) -> Evaluation {
        let scored = cases
            .iter()
            .map(|case| {
                let classifier = Classifier::new(table, case.trace.calibration());
                let reading = classifier.classify(&case.trace.samples);
                Scored {
                    label: case.label.clone(),
                    got: Answer::of(&reading),
                    reading,
                }
            })
            .collect();
        Evaluation { scored }
    }

    pub(crate) fn correct(&self) -> usize {
        self.scored.iter().filter(|s| s.correct()).count()
    }

    pub(crate) fn accuracy(&self) -> f64 {
        self.correct() as f64 / self.scored.len().max(1) as f64
    }

    pub(crate) fn mistakes(&self) -> impl Iterator<Item = &Scored> {
        self.scored.iter().filter(|s| !s.correct())
    }

    pub(crate) fn forbidden(&self) -> impl Iterator<Item = &Scored> {
        self.scored.iter().filter(|s| s.forbidden())
    }

    /// Readable lights answered "not enough evidence".
    pub(crate) fn abstained(&self) -> impl Iterator<Item = &Scored> {
        self.scored.iter().filter(|s| {
            s.got == Answer::NotEnoughEvidence && s.label.expected() != Answer::NotEnoughEvidence
        })
    }

    pub(crate) fn wrong_colours(&self) -> impl Iterator<Item = &Scored> {
        self.scored.iter().filter(|s| s.wrong_colour())
    }

    /// Rows: expected colour; columns: the colour answered (`n/e`: not enough evidence).
    pub(crate) fn colour_matrix(&self) -> Matrix {
        let names: Vec<&str> = Colour::ALL.iter().map(|c| c.name()).collect();
        let mut m = Matrix::new(&names, &[names.as_slice(), &["n/e"]].concat());
        for s in &self.scored {
            let want = s.label.expected();
            if want == Answer::NotEnoughEvidence {
                m.add("n/e", s.got.colour_name());
            } else {
                m.add(want.colour_name(), s.got.colour_name());
            }
        }
        m
    }

    /// Rows: expected cadence (or no-fit / n/e); columns: the cadence answered.
    pub(crate) fn cadence_matrix(&self) -> Matrix {
        let mut names: Vec<&str> = Cadence::ALL.iter().map(|c| c.name()).collect();
        names.extend(["no-fit", "n/e"]);
        let mut m = Matrix::new(&names, &names);
        for s in &self.scored {
            m.add(s.label.expected().cadence_name(), s.got.cadence_name());
        }
        m
    }

    /// Accuracy, both confusion matrices and every mistake, as text.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let n = self.scored.len();
        let forbidden = self.forbidden().count();
        out.push_str(&format!(
            "accuracy (colour and cadence together): {}/{} = {:.2}%\n",
            self.correct(),
            n,
            100.0 * self.accuracy()
        ));
        let wrong_colours = self.wrong_colours().count();
        let abstained = self.abstained().count();
        out.push_str(&format!(
            "forbidden confusions (steady<->wink, off<->lit): {forbidden}\n\
             wrong colours: {wrong_colours}\n\
             abstained on a readable light: {abstained} ({:.2}%)\n\n",
            100.0 * abstained as f64 / n.max(1) as f64
        ));
        out.push_str("colour confusion (rows: expected, columns: answered)\n");
        out.push_str(&self.colour_matrix().to_string());
        out.push_str("\ncadence confusion (rows: expected, columns: answered)\n");
        out.push_str(&self.cadence_matrix().to_string());
        let mistakes: Vec<&Scored> = self.mistakes().collect();
        if !mistakes.is_empty() {
            out.push_str("\nmistakes:\n");
            for s in mistakes {
                out.push_str(&format!(
                    "  {}: expected {}, got {} ({})\n",
                    s.label.file,
                    s.label.expected(),
                    s.got,
                    s.reading.describe()
                ));
            }
        }
        out
    }
}

/// A confusion matrix with named rows and columns; empty rows are not shown.
#[derive(Debug, Clone)]
pub(crate) struct Matrix {
    pub(crate) rows: Vec<String>,
    pub(crate) cols: Vec<String>,
    pub(crate) counts: Vec<Vec<usize>>,
}

impl Matrix {
    fn new(rows: &[&str], cols: &[&str]) -> Matrix {
        Matrix {
            rows: rows.iter().map(|s| s.to_string()).collect(),
            cols: cols.iter().map(|s| s.to_string()).collect(),
            counts: vec![vec![0; cols.len()]; rows.len()],
        }
    }

    fn add(&mut self, row: &str, col: &str) {
        let (Some(i), Some(j)) = (
            self.rows.iter().position(|r| r == row),
            self.cols.iter().position(|c| c == col),
        ) else {
            return;
        };
        self.counts[i][j] += 1;
    }
}

impl fmt::Display for Matrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w0 = self.rows.iter().map(String::len).max().unwrap_or(0).max(8);
        let widths: Vec<usize> = self.cols.iter().map(|c| c.len().max(4)).collect();
        write!(f, "{:>w0$}", "")?;
        for (c, w) in self.cols.iter().zip(&widths) {
            write!(f, " {c:>w$}")?;
        }
        writeln!(f)?;
        for (row, counts) in self.rows.iter().zip(&self.counts) {
            if counts.iter().all(|&n| n == 0) {
                continue;
            }
            write!(f, "{row:>w0$}")?;
            for (n, w) in counts.iter().zip(&widths) {
                if *n == 0 {
                    write!(f, " {:>w$}", ".")?;
                } else {
                    write!(f, " {n:>w$}")?;
                }
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// How soon a streaming [`Watch`] decides, per expected cadence.
#[derive(Debug, Clone)]
pub struct LatencyRow {
    pub(crate) cadence: Cadence,
    /// Traces replayed.
    pub(crate) n: usize,
    /// First correct reading after the first sample, ms: median, 90th percentile, max.
    pub(crate) median_ms: f64,
    pub(crate) p90_ms: f64,
    pub(crate) max_ms: f64,
    /// The same in units of the cadence's table period (steady: of the settle time).
    pub(crate) unit_ms: f64,
    /// Traces never read correctly while streaming.
    pub(crate) never: usize,
    /// Polls that reported a WRONG indication (not "not yet"): must be 0.
    pub(crate) wrong: usize,
    /// The traces behind `never` and `wrong`, with the first wrong reading.
    pub(crate) failures: Vec<String>,
}

/// Replay every trace that shows one state throughout (no `change` in its disturbances)
/// through a [`Watch`], polled every `poll_ms` as the runner does, and time the decision.
pub fn latency(cases: &[Case], table: &CadenceTable, poll_ms: f64) -> Vec<LatencyRow> {
    let mut by: BTreeMap<Cadence, (Vec<f64>, usize, usize, Vec<String>)> = BTreeMap::new();
    for case in cases {
        let Answer::Seen(want) = case.label.expected() else {
            continue;
        };
        if case.label.disturbances.contains("change") || case.trace.samples.is_empty() {
            continue;
        }
        let mut watch = Watch::new(Classifier::new(table, case.trace.calibration()));
        let samples = &case.trace.samples;
        let t0 = samples[0].t_ms;
        let mut next = t0 + poll_ms;
        let mut i = 0;
        let mut first = None;
        let mut wrong = 0;
        let mut first_wrong = None;
        while i < samples.len() {
            let j = i + samples[i..].partition_point(|s| s.t_ms < next);
            watch.push(&samples[i..j]);
            i = j;
            let reading = watch.current();
            match reading.indication() {
                Some(got) if got == want => {
                    first.get_or_insert(next - t0);
                }
                Some(_) => {
                    wrong += 1;
                    first_wrong.get_or_insert_with(|| {
                        format!("{:.0} ms: {}", next - t0, reading.describe())
                    });
                }
                None => {}
            }
            next += poll_ms;
        }
        let entry = by.entry(want.cadence).or_default();
        match first {
            Some(ms) => entry.0.push(ms),
            None => {
                entry.1 += 1;
                entry.3.push(format!("{}: never {want}", case.label.file));
            }
        }
        entry.2 += wrong;
        if let Some(w) = first_wrong {
            entry
                .3
                .push(format!("{}: {wrong} wrong, first at {w}", case.label.file));
        }
    }
    by.into_iter()
        .map(|(cadence, (mut ms, never, wrong, failures))| {
            ms.sort_by(f64::total_cmp);
            let pick = |q: f64| {
                if ms.is_empty() {
                    f64::NAN
                } else {
                    ms[((ms.len() - 1) as f64 * q).round() as usize]
                }
            };
            let unit_ms = table
                .get(cadence)
                .period_ms()
                .unwrap_or_else(|| table.steady_settle_ms());
            LatencyRow {
                cadence,
                n: ms.len() + never,
                median_ms: pick(0.5),
                p90_ms: pick(0.9),
                max_ms: pick(1.0),
                unit_ms,
                never,
                wrong,
                failures,
            }
        })
        .collect()
}

/// The latency table as text.
pub fn latency_report(rows: &[LatencyRow]) -> String {
    let mut out = String::from(
        "decision latency of a streaming Watch (polled every 50 ms), from the first sample\n\
         cadence          n   median        p90           max           unit      never wrong\n",
    );
    for r in rows {
        let per = |ms: f64| format!("{ms:>5.0} ms {:>4.2}", ms / r.unit_ms);
        let unit = if r.cadence == Cadence::Steady {
            "settle"
        } else {
            "period"
        };
        out.push_str(&format!(
            "{:<15} {:>3}   {}  {}  {}  {:>5.0} {unit}  {:>3} {:>5}\n",
            r.cadence.name(),
            r.n,
            per(r.median_ms),
            per(r.p90_ms),
            per(r.max_ms),
            r.unit_ms,
            r.never,
            r.wrong
        ));
    }
    for r in rows {
        for f in &r.failures {
            out.push_str(&format!("  {f}\n"));
        }
    }
    out
}
