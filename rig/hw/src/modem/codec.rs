//! The AT command codec: commands to bytes, response lines to results and events. Pure:
//! no I/O, no time; the driver ([`super::AtModem`]) feeds it lines and keeps the clock.
//!
//! Follows ITU-T V.250 (command line `AT…<CR>`, responses `<CR><LF>text<CR><LF>` with
//! verbose result codes, `ATE0`/`ATE1` echo) and 3GPP TS 27.007 (the `+C…` commands and
//! their information responses, `+CME ERROR: <err>`). See `mod.rs` for what is followed.

use crate::{CallInfo, CallStatus};

/// `AT+CFUN` levels used here (27.007 §8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Functionality {
    /// `1`: full functionality.
    Full,
    /// `4`: transmit and receive RF circuits disabled ("flight mode").
    RadioOff,
}

/// A command the driver sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `AT`: are you there?
    Attention,
    /// `ATE0` / `ATE1`: command echo off / on (V.250 §6.2.4).
    Echo(bool),
    /// `AT+CMEE=<n>`: how `+CME ERROR` is reported (0 off, 1 numeric, 2 verbose).
    ErrorReports(u8),
    /// `AT+CLIP=<n>`: calling line identification presentation (`+CLIP:` after `RING`).
    Clip(bool),
    /// `ATD<number>;`: a voice call (the `;` keeps the modem in command state).
    Dial(String),
    /// `ATA`: answer.
    Answer,
    /// `AT+CHUP`: hang up every call (27.007 §6.5).
    HangUp,
    /// `ATH`: V.250 hook control, the fallback where `+CHUP` is missing.
    Hook,
    /// `AT+CLCC`: list current calls (27.007 §7.18).
    ListCalls,
    /// `AT+CFUN=<fun>`.
    SetFunctionality(Functionality),
    /// `AT+CGMI`: manufacturer.
    Manufacturer,
    /// `AT+CGMM`: model.
    Model,
    /// `AT+CGMR`: revision.
    Revision,
    /// `ATI`: V.250 identification (free text, several lines).
    Identify,
    /// `AT+CREG?`: network registration (27.007 §7.2).
    Registration,
}

/// What information a command answers before its final result code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Info {
    /// Nothing: any other line is unexpected.
    None,
    /// Lines starting with this prefix (`+CLCC:`).
    Prefixed(&'static str),
    /// Free text (identification).
    Text,
}

impl Command {
    /// The command line without its terminator.
    pub fn text(&self) -> String {
        match self {
            Command::Attention => "AT".into(),
            Command::Echo(on) => format!("ATE{}", u8::from(*on)),
            Command::ErrorReports(n) => format!("AT+CMEE={n}"),
            Command::Clip(on) => format!("AT+CLIP={}", u8::from(*on)),
            Command::Dial(n) => format!("ATD{n};"),
            Command::Answer => "ATA".into(),
            Command::HangUp => "AT+CHUP".into(),
            Command::Hook => "ATH".into(),
            Command::ListCalls => "AT+CLCC".into(),
            Command::SetFunctionality(Functionality::Full) => "AT+CFUN=1".into(),
            Command::SetFunctionality(Functionality::RadioOff) => "AT+CFUN=4".into(),
            Command::Manufacturer => "AT+CGMI".into(),
            Command::Model => "AT+CGMM".into(),
            Command::Revision => "AT+CGMR".into(),
            Command::Identify => "ATI".into(),
            Command::Registration => "AT+CREG?".into(),
        }
    }

    /// The bytes on the wire: the command line ended by `<CR>` (V.250 S3).
    pub fn encode(&self) -> Vec<u8> {
        let mut v = self.text().into_bytes();
        v.push(b'\r');
        v
    }

    pub fn info(&self) -> Info {
        match self {
            Command::ListCalls => Info::Prefixed("+CLCC:"),
            Command::Registration => Info::Prefixed("+CREG:"),
            Command::Manufacturer | Command::Model | Command::Revision | Command::Identify => {
                Info::Text
            }
            _ => Info::None,
        }
    }

    /// Whether call-progress codes (`NO CARRIER`, `BUSY`, `NO ANSWER`, `NO DIALTONE`,
    /// `CONNECT`) end this command rather than being unsolicited.
    pub fn sets_up_a_call(&self) -> bool {
        matches!(self, Command::Dial(_) | Command::Answer)
    }

    /// Whether the command waits on the network (call control, radio), as opposed to
    /// being answered by the modem at once.
    pub fn is_slow(&self) -> bool {
        matches!(
            self,
            Command::Dial(_)
                | Command::Answer
                | Command::HangUp
                | Command::Hook
                | Command::SetFunctionality(_)
        )
    }
}

/// Characters a dial string may hold (V.250 §6.3.1 dial modifiers and digits; `+` for an
/// international number). Anything else (`;`, a CR, letters) is refused before sending.
pub fn valid_dial_string(number: &str) -> bool {
    !number.is_empty()
        && number.len() <= 40
        && number.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(c, '+' | '*' | '#' | 'A'..='D' | ',' | 'p' | 'P' | 'w' | 'W')
        })
}

/// `+CME ERROR: <err>`, numeric (`AT+CMEE=1`) or verbose (`AT+CMEE=2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmeError {
    Code(u16),
    Text(String),
}

impl CmeError {
    /// The 27.007 §9.2 meaning of the common codes.
    pub fn meaning(code: u16) -> Option<&'static str> {
        Some(match code {
            0 => "phone failure",
            1 => "no connection to phone",
            3 => "operation not allowed",
            4 => "operation not supported",
            10 => "SIM not inserted",
            11 => "SIM PIN required",
            13 => "SIM failure",
            14 => "SIM busy",
            30 => "no network service",
            31 => "network timeout",
            32 => "network not allowed - emergency calls only",
            100 => "unknown",
            _ => return None,
        })
    }
}

impl std::fmt::Display for CmeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CmeError::Code(c) => match CmeError::meaning(*c) {
                Some(m) => write!(f, "+CME ERROR: {c} ({m})"),
                None => write!(f, "+CME ERROR: {c}"),
            },
            CmeError::Text(t) => write!(f, "+CME ERROR: {t}"),
        }
    }
}

/// A final result code: the command is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Final {
    Ok,
    Error,
    Cme(CmeError),
    NoCarrier,
    Busy,
    NoAnswer,
    NoDialtone,
    /// `CONNECT [<text>]` (data calls; a voice `ATA` answers `OK`).
    Connect(String),
}

impl std::fmt::Display for Final {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Final::Ok => f.write_str("OK"),
            Final::Error => f.write_str("ERROR"),
            Final::Cme(e) => write!(f, "{e}"),
            Final::NoCarrier => f.write_str("NO CARRIER"),
            Final::Busy => f.write_str("BUSY"),
            Final::NoAnswer => f.write_str("NO ANSWER"),
            Final::NoDialtone => f.write_str("NO DIALTONE"),
            Final::Connect(t) if t.is_empty() => f.write_str("CONNECT"),
            Final::Connect(t) => write!(f, "CONNECT {t}"),
        }
    }
}

/// `+CLIP: <number>,<type>` (27.007 §7.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clip {
    pub number: String,
    /// Type of address octet: 129 national/unknown, 145 international (`+`).
    pub kind: u16,
}

/// An unsolicited result code: something happened on the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Urc {
    /// `RING`: an incoming call alerts (repeated while it rings).
    Ring,
    /// `+CRING: <type>` (extended ring, `AT+CRC=1`).
    CRing(String),
    /// Who calls, after `RING` with `AT+CLIP=1`.
    Clip(Clip),
    /// The call ended (the far end hung up, or the network dropped it).
    NoCarrier,
    Busy,
    NoAnswer,
    /// Any other `+XXX: …`/`^XXX…` report a modem volunteers (registration, signal…).
    Other(String),
}

/// One response line, classified for the command in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// The command's own echo (`ATE1`), or a stale echo of an earlier one.
    Echo,
    Final(Final),
    Urc(Urc),
    /// An information line of the command.
    Info(String),
    /// Nothing an AT modem would send here.
    Unexpected(String),
}

fn final_code(line: &str) -> Option<Final> {
    Some(match line {
        "OK" => Final::Ok,
        "ERROR" => Final::Error,
        "NO CARRIER" => Final::NoCarrier,
        "BUSY" => Final::Busy,
        "NO ANSWER" => Final::NoAnswer,
        "NO DIALTONE" | "NO DIAL TONE" => Final::NoDialtone,
        _ => {
            if let Some(rest) = line.strip_prefix("+CME ERROR:") {
                let rest = rest.trim();
                return Some(Final::Cme(match rest.parse::<u16>() {
                    Ok(c) => CmeError::Code(c),
                    Err(_) => CmeError::Text(rest.to_string()),
                }));
            }
            if line == "CONNECT" {
                return Some(Final::Connect(String::new()));
            }
            if let Some(rest) = line.strip_prefix("CONNECT ") {
                return Some(Final::Connect(rest.trim().to_string()));
            }
            return None;
        }
    })
}

fn urc(line: &str) -> Option<Urc> {
    match line {
        "RING" => return Some(Urc::Ring),
        "NO CARRIER" => return Some(Urc::NoCarrier),
        "BUSY" => return Some(Urc::Busy),
        "NO ANSWER" => return Some(Urc::NoAnswer),
        _ => {}
    }
    if let Some(rest) = line.strip_prefix("+CRING:") {
        return Some(Urc::CRing(rest.trim().to_string()));
    }
    if line.starts_with("+CLIP:") {
        return Some(match parse_clip(line) {
            Some(c) => Urc::Clip(c),
            None => Urc::Other(line.to_string()),
        });
    }
    if looks_like_report(line) {
        return Some(Urc::Other(line.to_string()));
    }
    None
}

/// `+NAME:…` or `^NAME…` (vendor reports): the shape of an extended-syntax report.
fn looks_like_report(line: &str) -> bool {
    let mut chars = line.chars();
    match chars.next() {
        Some('+') => {
            let name: String = chars.by_ref().take_while(|c| *c != ':').collect();
            !name.is_empty()
                && name.len() <= 16
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && line.len() > name.len() + 1
        }
        Some('^') => chars.next().is_some_and(|c| c.is_ascii_uppercase()),
        _ => false,
    }
}

/// Classify one line received while `cmd` is in progress (`None`: no command).
pub fn classify(cmd: Option<&Command>, line: &str) -> Line {
    let trimmed = line.trim();
    // The echo of the command itself; otherwise a line starting `AT` is a stale echo of
    // an earlier command, except while free text is expected (a model named "AT-100").
    let own_echo = cmd.is_some_and(|c| trimmed.eq_ignore_ascii_case(&c.text()));
    let stale_echo = trimmed.len() >= 2
        && trimmed[..2].eq_ignore_ascii_case("AT")
        && cmd.is_none_or(|c| c.info() != Info::Text);
    if own_echo || stale_echo {
        return Line::Echo;
    }
    if let Some(cmd) = cmd {
        if let Some(f) = final_code(trimmed) {
            let progress = matches!(
                f,
                Final::NoCarrier | Final::Busy | Final::NoAnswer | Final::Connect(_)
            );
            if !progress || cmd.sets_up_a_call() {
                return Line::Final(f);
            }
        }
        match cmd.info() {
            Info::Prefixed(p) if trimmed.starts_with(p) => {
                return Line::Info(trimmed.to_string());
            }
            // `+CGMI: Quectel`: some modems prefix identification with the command name.
            Info::Text if trimmed.starts_with(&format!("{}:", &cmd.text()[2..])) => {
                return Line::Info(trimmed.to_string());
            }
            _ => {}
        }
    }
    if let Some(u) = urc(trimmed) {
        return Line::Urc(u);
    }
    match cmd.map(Command::info) {
        Some(Info::Text) => Line::Info(trimmed.to_string()),
        _ => Line::Unexpected(trimmed.to_string()),
    }
}

/// What a line did to the command in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Keep reading.
    More,
    /// The command is over with this result code.
    Done(Final),
    /// A line no AT modem would send here.
    Garbage(String),
}

/// One command's exchange: feed it lines until it is [`Step::Done`]. Information lines and
/// unsolicited codes seen on the way are collected.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub command: Command,
    pub info: Vec<String>,
    pub events: Vec<Urc>,
}

impl Exchange {
    pub fn new(command: Command) -> Self {
        Self {
            command,
            info: Vec::new(),
            events: Vec::new(),
        }
    }

    pub fn on_line(&mut self, line: &str) -> Step {
        match classify(Some(&self.command), line) {
            Line::Echo => Step::More,
            Line::Final(f) => Step::Done(f),
            Line::Urc(u) => {
                self.events.push(u);
                Step::More
            }
            Line::Info(i) => {
                self.info.push(i);
                Step::More
            }
            Line::Unexpected(l) => Step::Garbage(l),
        }
    }
}

/// Split the parameters of an information response at commas, honouring quotes; quoted
/// strings come back without their quotes.
pub fn fields(params: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in params.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    out
}

fn params<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    line.trim().strip_prefix(prefix).map(str::trim)
}

/// One `+CLCC` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEntry {
    pub id: u8,
    pub incoming: bool,
    pub status: CallStatus,
    /// `<mode>`: 0 voice, 1 data, 2 fax, 9 unknown…
    pub mode: u8,
    pub multiparty: bool,
    pub number: Option<String>,
    pub number_type: Option<u16>,
}

impl CallEntry {
    pub fn to_call_info(&self) -> CallInfo {
        CallInfo {
            incoming: self.incoming,
            status: self.status,
            number: self.number.clone(),
        }
    }
}

/// A response line the codec cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// A `+CLCC` line, and what is wrong with it.
    #[error("bad +CLCC line ({fault}): {line:?}")]
    Clcc { fault: ClccFault, line: String },
    /// A `+CREG` line without a readable `<stat>`.
    #[error("bad +CREG line: {line:?}")]
    Creg { line: String },
}

/// What is wrong with a `+CLCC` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClccFault {
    #[error("no +CLCC: prefix")]
    NoPrefix,
    #[error("fewer than 5 fields")]
    TooFewFields,
    #[error("<id> is not a number")]
    Id,
    #[error("<dir> is not 0 or 1")]
    Dir,
    #[error("<stat> is not a number")]
    StatNotANumber,
    #[error("<stat> is not 0–5")]
    Stat,
    #[error("<mode> is not a number")]
    Mode,
    #[error("<mpty> is not 0 or 1")]
    Mpty,
    #[error("<type> is not a number")]
    Type,
}

/// Parse `+CLCC: <id>,<dir>,<stat>,<mode>,<mpty>[,<number>,<type>[,<alpha>[,<priority>
/// [,<CLI validity>]]]]`.
pub fn parse_clcc(line: &str) -> Result<CallEntry, ParseError> {
    let bad = |fault: ClccFault| ParseError::Clcc {
        fault,
        line: line.to_string(),
    };
    let p = params(line, "+CLCC:").ok_or_else(|| bad(ClccFault::NoPrefix))?;
    let f = fields(p);
    if f.len() < 5 {
        return Err(bad(ClccFault::TooFewFields));
    }
    let num = |i: usize, fault: ClccFault| -> Result<u8, ParseError> {
        f[i].parse::<u8>().map_err(|_| bad(fault))
    };
    let id = num(0, ClccFault::Id)?;
    let incoming = match num(1, ClccFault::Dir)? {
        0 => false,
        1 => true,
        _ => return Err(bad(ClccFault::Dir)),
    };
    let status = match num(2, ClccFault::StatNotANumber)? {
        0 => CallStatus::Active,
        1 => CallStatus::Held,
        2 => CallStatus::Dialing,
        3 => CallStatus::Alerting,
        4 => CallStatus::Incoming,
        5 => CallStatus::Waiting,
        _ => return Err(bad(ClccFault::Stat)),
    };
    let mode = num(3, ClccFault::Mode)?;
    let multiparty = match num(4, ClccFault::Mpty)? {
        0 => false,
        1 => true,
        _ => return Err(bad(ClccFault::Mpty)),
    };
    let number = f.get(5).filter(|n| !n.is_empty()).cloned();
    let number_type = match f.get(6).filter(|t| !t.is_empty()) {
        Some(t) => Some(t.parse::<u16>().map_err(|_| bad(ClccFault::Type))?),
        None => None,
    };
    Ok(CallEntry {
        id,
        incoming,
        status,
        mode,
        multiparty,
        number,
        number_type,
    })
}

/// Parse `+CLIP: <number>,<type>[,…]`.
pub fn parse_clip(line: &str) -> Option<Clip> {
    let f = fields(params(line, "+CLIP:")?);
    let kind = f.get(1)?.parse().ok()?;
    Some(Clip {
        number: f[0].clone(),
        kind,
    })
}

/// `+CREG` `<stat>` (27.007 §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    NotSearching,
    Home,
    Searching,
    Denied,
    Unknown,
    Roaming,
    /// Another value (SMS-only, emergency-only… in later releases).
    Other(u8),
}

impl Registration {
    pub fn is_registered(self) -> bool {
        matches!(self, Registration::Home | Registration::Roaming)
    }
}

impl std::fmt::Display for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Registration::NotSearching => f.write_str("not registered, not searching"),
            Registration::Home => f.write_str("registered (home network)"),
            Registration::Searching => f.write_str("not registered, searching"),
            Registration::Denied => f.write_str("registration denied"),
            Registration::Unknown => f.write_str("unknown"),
            Registration::Roaming => f.write_str("registered (roaming)"),
            Registration::Other(n) => write!(f, "status {n}"),
        }
    }
}

/// Parse `+CREG: <n>,<stat>[,…]` (the read command) or `+CREG: <stat>` (the report).
pub fn parse_creg(line: &str) -> Result<Registration, ParseError> {
    let bad = || ParseError::Creg {
        line: line.to_string(),
    };
    let f = fields(params(line, "+CREG:").ok_or_else(bad)?);
    let stat = if f.len() == 1 { &f[0] } else { &f[1] };
    Ok(match stat.parse::<u8>().map_err(|_| bad())? {
        0 => Registration::NotSearching,
        1 => Registration::Home,
        2 => Registration::Searching,
        3 => Registration::Denied,
        4 => Registration::Unknown,
        5 => Registration::Roaming,
        n => Registration::Other(n),
    })
}

/// An identification answer: `+CGMI: x` on some modems, plain `x` on most.
pub fn strip_info_prefix(line: &str) -> String {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix('+') {
        if let Some((name, value)) = rest.split_once(':') {
            if name.chars().all(|c| c.is_ascii_alphanumeric()) {
                return value.trim().trim_matches('"').to_string();
            }
        }
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_encode_as_v250_command_lines() {
        assert_eq!(
            Command::Dial("07700900001".into()).encode(),
            b"ATD07700900001;\r"
        );
        assert_eq!(Command::Answer.encode(), b"ATA\r");
        assert_eq!(Command::HangUp.encode(), b"AT+CHUP\r");
        assert_eq!(Command::ListCalls.encode(), b"AT+CLCC\r");
        assert_eq!(
            Command::SetFunctionality(Functionality::RadioOff).encode(),
            b"AT+CFUN=4\r"
        );
        assert_eq!(
            Command::SetFunctionality(Functionality::Full).encode(),
            b"AT+CFUN=1\r"
        );
        assert_eq!(Command::Echo(false).encode(), b"ATE0\r");
        assert_eq!(Command::Clip(true).encode(), b"AT+CLIP=1\r");
        assert_eq!(Command::ErrorReports(1).encode(), b"AT+CMEE=1\r");
        assert_eq!(Command::Registration.encode(), b"AT+CREG?\r");
    }

    #[test]
    fn dial_strings_refuse_anything_that_could_inject_a_command() {
        assert!(valid_dial_string("+447700900001"));
        assert!(valid_dial_string("*31#0123,,4"));
        assert!(!valid_dial_string(""));
        assert!(!valid_dial_string("123;+CFUN=0"));
        assert!(!valid_dial_string("123\r"));
        assert!(!valid_dial_string("12 3"));
    }

    fn run(cmd: Command, wire: &[u8]) -> (Exchange, Vec<Step>) {
        let mut s = crate::serial::LineSplitter::new(512);
        s.push(wire);
        let mut x = Exchange::new(cmd);
        let mut steps = Vec::new();
        while let Some(l) = s.next_line() {
            steps.push(x.on_line(&l.unwrap()));
        }
        (x, steps)
    }

    #[test]
    fn clcc_with_echo_and_an_interleaved_ring_lists_calls_and_keeps_the_event() {
        let wire = b"AT+CLCC\r\r\nRING\r\n\r\n+CLIP: \"07700900002\",129\r\n\
            \r\n+CLCC: 1,1,4,0,0,\"07700900002\",129\r\n\r\n+CLCC: 2,0,0,0,0,\"+4412345\",145,\"Bob\"\r\n\r\nOK\r\n";
        let (x, steps) = run(Command::ListCalls, wire);
        assert_eq!(steps.last(), Some(&Step::Done(Final::Ok)));
        assert_eq!(
            x.events,
            vec![
                Urc::Ring,
                Urc::Clip(Clip {
                    number: "07700900002".into(),
                    kind: 129
                })
            ]
        );
        let calls: Vec<CallEntry> = x.info.iter().map(|l| parse_clcc(l).unwrap()).collect();
        assert_eq!(calls.len(), 2);
        assert_eq!(
            calls[0],
            CallEntry {
                id: 1,
                incoming: true,
                status: CallStatus::Incoming,
                mode: 0,
                multiparty: false,
                number: Some("07700900002".into()),
                number_type: Some(129)
            }
        );
        assert_eq!(calls[1].status, CallStatus::Active);
        assert!(!calls[1].incoming);
        assert_eq!(calls[1].number.as_deref(), Some("+4412345"));
        assert_eq!(calls[1].number_type, Some(145));
    }

    #[test]
    fn clcc_entries_without_a_number_and_every_status() {
        for (stat, want) in [
            (0, CallStatus::Active),
            (1, CallStatus::Held),
            (2, CallStatus::Dialing),
            (3, CallStatus::Alerting),
            (4, CallStatus::Incoming),
            (5, CallStatus::Waiting),
        ] {
            let e = parse_clcc(&format!("+CLCC: 3,0,{stat},0,1")).unwrap();
            assert_eq!(e.status, want);
            assert!(e.multiparty);
            assert_eq!(e.number, None);
        }
        let e = parse_clcc("+CLCC: 1,1,4,0,0,\"\",128").unwrap();
        assert_eq!(e.number, None);
        let fault = |line: &str| match parse_clcc(line) {
            Err(ParseError::Clcc { fault, .. }) => Some(fault),
            _ => None,
        };
        assert_eq!(fault("+CLCC: 1,2,0,0,0"), Some(ClccFault::Dir));
        assert_eq!(fault("+CLCC: 1,0,9,0,0"), Some(ClccFault::Stat));
        assert_eq!(fault("+CLCC: 1,0"), Some(ClccFault::TooFewFields));
        assert_eq!(fault("+CLCC: x,0,0,0,0"), Some(ClccFault::Id));
        assert_eq!(fault("+CLCC: 1,0,0,0,0,\"123\",x"), Some(ClccFault::Type));
        assert_eq!(fault("+CLIP: 1,0,0,0,0"), Some(ClccFault::NoPrefix));
        // The device's message names the line and the fault, as before.
        assert_eq!(
            parse_clcc("+CLCC: 1,0,9,0,0").unwrap_err().to_string(),
            "bad +CLCC line (<stat> is not 0–5): \"+CLCC: 1,0,9,0,0\""
        );
    }

    #[test]
    fn call_progress_codes_end_a_dial_but_are_events_elsewhere() {
        for (wire, want) in [
            (&b"\r\nOK\r\n"[..], Final::Ok),
            (b"\r\nBUSY\r\n", Final::Busy),
            (b"\r\nNO CARRIER\r\n", Final::NoCarrier),
            (b"\r\nNO DIALTONE\r\n", Final::NoDialtone),
            (b"\r\nNO ANSWER\r\n", Final::NoAnswer),
            (b"\r\n+CME ERROR: 30\r\n", Final::Cme(CmeError::Code(30))),
        ] {
            let (_, steps) = run(Command::Dial("123".into()), wire);
            assert_eq!(steps, vec![Step::Done(want)]);
        }
        let (x, steps) = run(Command::ListCalls, b"\r\nNO CARRIER\r\n\r\nOK\r\n");
        assert_eq!(steps, vec![Step::More, Step::Done(Final::Ok)]);
        assert_eq!(x.events, vec![Urc::NoCarrier]);
        let (_, steps) = run(Command::Answer, b"\r\nNO CARRIER\r\n");
        assert_eq!(steps, vec![Step::Done(Final::NoCarrier)]);
    }

    #[test]
    fn cme_errors_numeric_and_verbose() {
        let (_, steps) = run(Command::HangUp, b"\r\n+CME ERROR: no network service\r\n");
        assert_eq!(
            steps,
            vec![Step::Done(Final::Cme(CmeError::Text(
                "no network service".into()
            )))]
        );
        assert_eq!(
            Final::Cme(CmeError::Code(30)).to_string(),
            "+CME ERROR: 30 (no network service)"
        );
    }

    #[test]
    fn garbage_is_flagged_but_vendor_reports_are_events() {
        let (x, steps) = run(
            Command::Attention,
            b"\r\n^RSSI: 12\r\n+CREG: 1\r\nxq#9!\r\n",
        );
        assert_eq!(steps[..2], [Step::More, Step::More]);
        assert_eq!(steps[2], Step::Garbage("xq#9!".into()));
        assert_eq!(
            x.events,
            vec![
                Urc::Other("^RSSI: 12".into()),
                Urc::Other("+CREG: 1".into())
            ]
        );
        // An info line of the wrong command is garbage for this one.
        let (_, steps) = run(Command::HangUp, b"Quectel\r\n");
        assert_eq!(steps, vec![Step::Garbage("Quectel".into())]);
    }

    #[test]
    fn identification_is_free_text_with_or_without_a_prefix() {
        let (x, steps) = run(Command::Manufacturer, b"AT+CGMI\r\r\nQuectel\r\n\r\nOK\r\n");
        assert_eq!(steps.last(), Some(&Step::Done(Final::Ok)));
        assert_eq!(x.info, vec!["Quectel"]);
        let (x, _) = run(Command::Model, b"AT+CGMM\r\r\nAT-27007\r\n\r\nOK\r\n");
        assert_eq!(
            x.info,
            vec!["AT-27007"],
            "a model name starting AT is not an echo"
        );
        let (x, _) = run(Command::Model, b"\r\n+CGMM: SIM7600E\r\n\r\nOK\r\n");
        assert_eq!(x.info, vec!["+CGMM: SIM7600E"]);
        assert!(x.events.is_empty());
        assert_eq!(strip_info_prefix("+CGMM: \"SIM7600E\""), "SIM7600E");
        assert_eq!(strip_info_prefix("EC25EFAR06A06M4G"), "EC25EFAR06A06M4G");
    }

    #[test]
    fn registration_read_and_report_forms() {
        assert_eq!(parse_creg("+CREG: 0,1").unwrap(), Registration::Home);
        assert_eq!(
            parse_creg("+CREG: 2,5,\"00C3\",\"0000A13F\",7").unwrap(),
            Registration::Roaming
        );
        assert_eq!(parse_creg("+CREG: 2").unwrap(), Registration::Searching);
        assert_eq!(
            parse_creg("+CREG: x"),
            Err(ParseError::Creg {
                line: "+CREG: x".into()
            })
        );
        assert!(Registration::Roaming.is_registered());
        assert!(!Registration::Denied.is_registered());
    }

    #[test]
    fn clip_parses_number_and_type() {
        assert_eq!(
            parse_clip("+CLIP: \"+447700900002\",145,,,\"Alice\",0"),
            Some(Clip {
                number: "+447700900002".into(),
                kind: 145
            })
        );
        assert_eq!(parse_clip("+CLIP: garbage"), None);
    }
}
