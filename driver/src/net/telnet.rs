//! The telnet protocol as a pure state machine: bytes from the client go
//! in, typed inputs (lines, window sizes, GMCP messages...) and the bytes
//! to answer with come out. No I/O here, so every path is unit-testable.

pub const IAC: u8 = 255;
pub const DONT: u8 = 254;
pub const DO: u8 = 253;
pub const WONT: u8 = 252;
pub const WILL: u8 = 251;
pub const SB: u8 = 250;
pub const GA: u8 = 249;
pub const NOP: u8 = 241;
pub const SE: u8 = 240;
pub const AYT: u8 = 246;

pub const ECHO: u8 = 1;
pub const SGA: u8 = 3;
pub const TTYPE: u8 = 24;
pub const NAWS: u8 = 31;
pub const NEW_ENVIRON: u8 = 39;
pub const CHARSET: u8 = 42;
pub const MSDP: u8 = 69;
pub const MSSP: u8 = 70;
pub const MCCP2: u8 = 86;
pub const MSP: u8 = 90;
pub const MXP: u8 = 91;
pub const ZMP: u8 = 93;
pub const GMCP: u8 = 201;

/// Sub-negotiation qualifiers (RFC 1091, RFC 1572, RFC 2066).
const IS: u8 = 0;
const SEND: u8 = 1;
const INFO: u8 = 2;
const ENV_VAR: u8 = 0;
const ENV_VALUE: u8 = 1;
const ENV_ESC: u8 = 2;
const ENV_USERVAR: u8 = 3;
const CHARSET_REQUEST: u8 = 1;
const CHARSET_ACCEPTED: u8 = 2;
const MSSP_VAR: u8 = 1;
const MSSP_VAL: u8 = 2;
/// MSDP marks a variable name and its value with the same two bytes.
const MSDP_VAR: u8 = 1;
const MSDP_VAL: u8 = 2;

/// The longest line or sub-negotiation kept; the rest is dropped, so a
/// client cannot grow the buffers without bound.
pub const MAX_LINE: usize = 8192;

/// What the client sent, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A complete line, without its end of line.
    Line(Vec<u8>),
    /// One byte in character mode.
    Char(u8),
    WindowSize(u16, u16),
    TerminalType(Vec<u8>),
    /// One NEW-ENVIRON variable and its value.
    Environ(Vec<u8>, Vec<u8>),
    /// The client agreed to GMCP.
    GmcpEnabled,
    Gmcp(Vec<u8>),
    /// The client asked for the MSSP table.
    MsspRequested,
    /// The client accepted MCCP2: compress everything from now on (after
    /// the reply bytes of this same call).
    StartCompression,
    /// The client's character set was agreed.
    Charset(Vec<u8>),
    /// The client agreed to MXP (it answered our DO with WILL).
    MxpEnabled,
    /// The client agreed to MSDP.
    MsdpEnabled,
    /// One MSDP sub-negotiation, undecoded.
    Msdp(Vec<u8>),
    /// The client agreed to MSP.
    MspEnabled,
    /// A ZMP command and its arguments.
    Zmp(Vec<u8>, Vec<Vec<u8>>),
    /// Any other sub-negotiation: option then data.
    Suboption(u8, Vec<u8>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Data,
    /// After a CR: a following LF or NUL belongs to the same end of line.
    Cr,
    Iac,
    Verb(u8),
    Sub,
    SubIac,
}

/// Which options the server offers when a connection opens.
#[derive(Clone, Copy, Debug)]
pub struct Offers {
    pub gmcp: bool,
    pub mssp: bool,
    pub mccp: bool,
}

/// The MUD client protocols beyond GMCP and MSSP that the server offers,
/// each behind its own "enable ..." config key.
#[derive(Clone, Copy, Debug, Default)]
pub struct Protocols {
    pub mxp: bool,
    pub msdp: bool,
    pub zmp: bool,
    pub msp: bool,
}

/// One connection's telnet state.
#[derive(Clone, Debug)]
pub struct Telnet {
    state: State,
    sub: Vec<u8>,
    line: Vec<u8>,
    /// One byte at a time instead of lines (`get_char`).
    pub char_mode: bool,
    /// We told the client we echo (so it does not): input is hidden.
    pub echo_off: bool,
    pub gmcp: bool,
    pub compressing: bool,
    /// Which of the offered [`Protocols`] the client has agreed to.
    pub mxp: bool,
    pub msdp: bool,
    pub zmp: bool,
    pub msp: bool,
    offers: Offers,
    protocols: Protocols,
}

impl Telnet {
    pub fn new(offers: Offers) -> Telnet {
        Telnet::with_protocols(offers, Protocols::default())
    }

    pub fn with_protocols(offers: Offers, protocols: Protocols) -> Telnet {
        Telnet {
            state: State::Data,
            sub: Vec::new(),
            line: Vec::new(),
            char_mode: false,
            echo_off: false,
            gmcp: false,
            compressing: false,
            mxp: false,
            msdp: false,
            zmp: false,
            msp: false,
            offers,
            protocols,
        }
    }

    /// The negotiation the server opens with.
    pub fn greeting(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend([IAC, DO, TTYPE, IAC, DO, NAWS, IAC, DO, NEW_ENVIRON]);
        if self.offers.gmcp {
            out.extend([IAC, WILL, GMCP]);
        }
        if self.offers.mssp {
            out.extend([IAC, WILL, MSSP]);
        }
        if self.offers.mccp {
            out.extend([IAC, WILL, MCCP2]);
        }
        // MXP is the client's to speak, so the server asks with DO; the
        // others are the server's and are offered with WILL.
        if self.protocols.mxp {
            out.extend([IAC, DO, MXP]);
        }
        if self.protocols.msdp {
            out.extend([IAC, WILL, MSDP]);
        }
        if self.protocols.zmp {
            out.extend([IAC, WILL, ZMP]);
        }
        if self.protocols.msp {
            out.extend([IAC, WILL, MSP]);
        }
        out
    }

    /// Decodes `data`, appending inputs and reply bytes.
    pub fn feed(&mut self, data: &[u8], inputs: &mut Vec<Input>, reply: &mut Vec<u8>) {
        for &b in data {
            self.byte(b, inputs, reply);
        }
    }

    fn byte(&mut self, b: u8, inputs: &mut Vec<Input>, reply: &mut Vec<u8>) {
        match self.state {
            State::Data | State::Cr => {
                let after_cr = self.state == State::Cr;
                self.state = State::Data;
                if b == IAC {
                    self.state = State::Iac;
                } else if after_cr && (b == b'\n' || b == 0) {
                    // The rest of a CR LF or CR NUL already ended the line.
                } else {
                    self.data(b, inputs);
                }
            }
            State::Iac => {
                self.state = State::Data;
                match b {
                    IAC => self.data(IAC, inputs),
                    WILL | WONT | DO | DONT => self.state = State::Verb(b),
                    SB => {
                        self.sub.clear();
                        self.state = State::Sub;
                    }
                    AYT => reply.extend_from_slice(b"\r\n[Yes]\r\n"),
                    // Go-ahead, no-operation and the rest carry nothing.
                    GA | NOP => {}
                    _ => {}
                }
            }
            State::Verb(verb) => {
                self.state = State::Data;
                self.negotiate(verb, b, inputs, reply);
            }
            State::Sub => {
                if b == IAC {
                    self.state = State::SubIac;
                } else if self.sub.len() < MAX_LINE {
                    self.sub.push(b);
                }
            }
            State::SubIac => match b {
                SE => {
                    self.state = State::Data;
                    let sub = std::mem::take(&mut self.sub);
                    self.subnegotiation(&sub, inputs, reply);
                }
                IAC => {
                    self.state = State::Sub;
                    if self.sub.len() < MAX_LINE {
                        self.sub.push(IAC);
                    }
                }
                // A broken sub-negotiation: drop it and read on.
                _ => self.state = State::Data,
            },
        }
    }

    fn data(&mut self, b: u8, inputs: &mut Vec<Input>) {
        if self.char_mode {
            inputs.push(Input::Char(b));
            return;
        }
        match b {
            b'\r' => {
                self.state = State::Cr;
                inputs.push(Input::Line(std::mem::take(&mut self.line)));
            }
            b'\n' => inputs.push(Input::Line(std::mem::take(&mut self.line))),
            8 | 127 => {
                self.line.pop();
            }
            0 => {}
            _ if self.line.len() < MAX_LINE => self.line.push(b),
            _ => {}
        }
    }

    fn negotiate(&mut self, verb: u8, option: u8, inputs: &mut Vec<Input>, reply: &mut Vec<u8>) {
        match (verb, option) {
            (WILL, TTYPE) => reply.extend([IAC, SB, TTYPE, SEND, IAC, SE]),
            (WILL, NEW_ENVIRON) => reply.extend([IAC, SB, NEW_ENVIRON, SEND, IAC, SE]),
            (WILL, NAWS) => {}
            (WILL, CHARSET) | (DO, CHARSET) => {
                reply.extend([IAC, SB, CHARSET, CHARSET_REQUEST]);
                reply.extend_from_slice(b" UTF-8");
                reply.extend([IAC, SE]);
            }
            (WILL, MXP) if self.protocols.mxp && !self.mxp => {
                self.mxp = true;
                inputs.push(Input::MxpEnabled);
            }
            // Agreed again to what is on already: nothing to answer.
            (WILL, MXP) if self.protocols.mxp => {}
            (WILL, other) => reply.extend([IAC, DONT, other]),
            (WONT, MXP) => self.mxp = false,
            (WONT, _) => {}
            (DO, MSDP) if self.protocols.msdp && !self.msdp => {
                self.msdp = true;
                inputs.push(Input::MsdpEnabled);
            }
            (DO, MSP) if self.protocols.msp && !self.msp => {
                self.msp = true;
                inputs.push(Input::MspEnabled);
            }
            (DO, MSDP) if self.protocols.msdp => {}
            (DO, MSP) if self.protocols.msp => {}
            (DO, ZMP) if self.protocols.zmp => self.zmp = true,
            (DO, GMCP) if self.offers.gmcp && !self.gmcp => {
                self.gmcp = true;
                inputs.push(Input::GmcpEnabled);
            }
            (DO, MSSP) if self.offers.mssp => inputs.push(Input::MsspRequested),
            (DO, MCCP2) if self.offers.mccp && !self.compressing => {
                self.compressing = true;
                reply.extend([IAC, SB, MCCP2, IAC, SE]);
                inputs.push(Input::StartCompression);
            }
            // Asked again for what is on already: nothing to answer.
            (DO, GMCP) if self.offers.gmcp => {}
            (DO, MCCP2) if self.offers.mccp => {}
            (DO, SGA) => reply.extend([IAC, WILL, SGA]),
            // Echo is ours to switch (`input_to` without echo): a client
            // asking for it just learns the current state.
            (DO, ECHO) => reply.extend([IAC, if self.echo_off { WILL } else { WONT }, ECHO]),
            (DO, other) => reply.extend([IAC, WONT, other]),
            (DONT, GMCP) => self.gmcp = false,
            (DONT, MSDP) => self.msdp = false,
            (DONT, ZMP) => self.zmp = false,
            // Confirmed only on a change, so two sides never loop.
            (DONT, MSP) if self.msp => {
                self.msp = false;
                reply.extend([IAC, WONT, MSP]);
            }
            (DONT, _) => {}
            _ => {}
        }
    }

    fn subnegotiation(&mut self, sub: &[u8], inputs: &mut Vec<Input>, reply: &mut Vec<u8>) {
        let Some((&option, rest)) = sub.split_first() else {
            return;
        };
        match option {
            NAWS => {
                if let [w1, w0, h1, h0, ..] = *rest {
                    let w = u16::from_be_bytes([w1, w0]);
                    let h = u16::from_be_bytes([h1, h0]);
                    inputs.push(Input::WindowSize(w, h));
                }
            }
            TTYPE => {
                if let Some((&IS, name)) = rest.split_first() {
                    inputs.push(Input::TerminalType(name.to_vec()));
                }
            }
            NEW_ENVIRON => {
                if let Some((&(IS | INFO), vars)) = rest.split_first() {
                    environ_pairs(vars, inputs);
                }
            }
            GMCP => inputs.push(Input::Gmcp(rest.to_vec())),
            MSDP if self.msdp && !rest.is_empty() => inputs.push(Input::Msdp(rest.to_vec())),
            ZMP if self.protocols.zmp => {
                if let Some((command, args)) = zmp_fields(rest) {
                    self.zmp = true;
                    inputs.push(Input::Zmp(command, args));
                }
            }
            CHARSET => {
                if let Some((&CHARSET_ACCEPTED, name)) = rest.split_first() {
                    inputs.push(Input::Charset(name.to_vec()));
                }
            }
            _ => {
                let _ = reply;
                inputs.push(Input::Suboption(option, rest.to_vec()));
            }
        }
    }

    /// Switches whether the client echoes what it types: off hides
    /// passwords.
    pub fn set_echo(&mut self, on: bool) -> Vec<u8> {
        let off = !on;
        if off == self.echo_off {
            return Vec::new();
        }
        self.echo_off = off;
        vec![IAC, if off { WILL } else { WONT }, ECHO]
    }

    /// Switches character mode; the client must not wait for a whole line.
    pub fn set_char_mode(&mut self, on: bool) -> Vec<u8> {
        if on == self.char_mode {
            return Vec::new();
        }
        self.char_mode = on;
        if on {
            vec![IAC, WILL, SGA]
        } else {
            vec![IAC, WONT, SGA]
        }
    }
}

/// A ZMP message: NUL-terminated strings, the command first. `None` for
/// one without a command.
fn zmp_fields(data: &[u8]) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
    // The last string's NUL is the message's end, not an empty argument.
    let data = data.strip_suffix(&[0]).unwrap_or(data);
    let mut fields = data.split(|&b| b == 0).map(<[u8]>::to_vec);
    let command = fields.next().filter(|c| !c.is_empty())?;
    Some((command, fields.collect()))
}

/// The VAR / VALUE pairs of a NEW-ENVIRON IS or INFO.
fn environ_pairs(data: &[u8], inputs: &mut Vec<Input>) {
    let mut name: Option<Vec<u8>> = None;
    let mut value: Option<Vec<u8>> = None;
    let mut escaped = false;
    let mut flush = |name: &mut Option<Vec<u8>>, value: &mut Option<Vec<u8>>| {
        if let Some(n) = name.take() {
            inputs.push(Input::Environ(n, value.take().unwrap_or_default()));
        }
        *value = None;
    };
    for &b in data {
        if escaped {
            escaped = false;
        } else {
            match b {
                ENV_ESC => {
                    escaped = true;
                    continue;
                }
                ENV_VAR | ENV_USERVAR => {
                    flush(&mut name, &mut value);
                    name = Some(Vec::new());
                    continue;
                }
                ENV_VALUE => {
                    value = Some(Vec::new());
                    continue;
                }
                _ => {}
            }
        }
        match (&mut name, &mut value) {
            (Some(_), Some(v)) => v.push(b),
            (Some(n), None) => n.push(b),
            _ => {}
        }
    }
    flush(&mut name, &mut value);
}

/// Text for the client: IAC doubled, each lone LF sent as CR LF.
pub fn text(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 8);
    let mut prev = 0u8;
    for &b in data {
        match b {
            IAC => out.extend([IAC, IAC]),
            b'\n' if prev != b'\r' => out.extend(*b"\r\n"),
            _ => out.push(b),
        }
        prev = b;
    }
    out
}

/// A sub-negotiation with its data escaped.
pub fn subnegotiation(option: u8, data: &[u8]) -> Vec<u8> {
    let mut out = vec![IAC, SB, option];
    for &b in data {
        if b == IAC {
            out.push(IAC);
        }
        out.push(b);
    }
    out.extend([IAC, SE]);
    out
}

/// The MSSP table: each variable with one or more values.
pub fn mssp(table: &[(Vec<u8>, Vec<Vec<u8>>)]) -> Vec<u8> {
    let mut data = Vec::new();
    for (name, values) in table {
        data.push(MSSP_VAR);
        data.extend(name);
        for v in values {
            data.push(MSSP_VAL);
            data.extend(v);
        }
    }
    subnegotiation(MSSP, &data)
}

/// "Go ahead": the prompt is complete, for clients that wait for it.
pub fn go_ahead() -> [u8; 2] {
    [IAC, GA]
}

/// "No operation": nothing, but it keeps an idle connection open.
pub fn nop() -> [u8; 2] {
    [IAC, NOP]
}

/// One MSDP variable and its value.
pub fn msdp_variable(name: &[u8], value: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(name.len() + value.len() + 2);
    data.push(MSDP_VAR);
    data.extend_from_slice(name);
    data.push(MSDP_VAL);
    data.extend_from_slice(value);
    subnegotiation(MSDP, &data)
}

/// A ZMP command with its arguments, each ended by a NUL.
pub fn zmp(command: &[u8], args: &[&[u8]]) -> Vec<u8> {
    let mut data = Vec::new();
    for field in std::iter::once(command).chain(args.iter().copied()) {
        // A NUL inside a field would end it early; it cannot be sent.
        data.extend(field.iter().filter(|&&b| b != 0));
        data.push(0);
    }
    subnegotiation(ZMP, &data)
}

/// The sequence that switches the client into MXP mode.
pub fn start_mxp() -> Vec<u8> {
    subnegotiation(MXP, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offers() -> Offers {
        Offers {
            gmcp: true,
            mssp: true,
            mccp: true,
        }
    }

    fn feed(t: &mut Telnet, data: &[u8]) -> (Vec<Input>, Vec<u8>) {
        let mut inputs = Vec::new();
        let mut reply = Vec::new();
        t.feed(data, &mut inputs, &mut reply);
        (inputs, reply)
    }

    #[test]
    fn lines_end_with_crlf_lf_or_cr_nul() {
        let mut t = Telnet::new(offers());
        let (inputs, _) = feed(&mut t, b"look\r\nsay hi\nquit\r\0x");
        assert_eq!(
            inputs,
            vec![
                Input::Line(b"look".to_vec()),
                Input::Line(b"say hi".to_vec()),
                Input::Line(b"quit".to_vec()),
            ]
        );
        let (inputs, _) = feed(&mut t, b"y\r");
        assert_eq!(inputs, vec![Input::Line(b"xy".to_vec())]);
        // The LF of a CR LF split over two reads ends no second line.
        let (inputs, _) = feed(&mut t, b"\n");
        assert!(inputs.is_empty());
    }

    #[test]
    fn backspace_and_delete_remove_the_last_byte() {
        let mut t = Telnet::new(offers());
        let (inputs, _) = feed(&mut t, b"lokk\x08\x7fok\n\x08\x08\n");
        assert_eq!(
            inputs,
            vec![Input::Line(b"look".to_vec()), Input::Line(Vec::new())]
        );
    }

    #[test]
    fn doubled_iac_is_data_and_commands_are_skipped() {
        let mut t = Telnet::new(offers());
        let (inputs, reply) = feed(&mut t, &[b'a', IAC, IAC, IAC, NOP, IAC, GA, b'b', b'\n']);
        assert_eq!(inputs, vec![Input::Line(vec![b'a', IAC, b'b'])]);
        assert!(reply.is_empty());
    }

    #[test]
    fn naws_reports_the_window_size_even_split_over_reads() {
        let mut t = Telnet::new(offers());
        let (inputs, _) = feed(&mut t, &[IAC, SB, NAWS, 0, 80]);
        assert!(inputs.is_empty());
        let (inputs, _) = feed(&mut t, &[0, 24, IAC, SE]);
        assert_eq!(inputs, vec![Input::WindowSize(80, 24)]);
        // A size byte of 255 is doubled inside the sub-negotiation.
        let (inputs, _) = feed(&mut t, &[IAC, SB, NAWS, 1, IAC, IAC, 0, 50, IAC, SE]);
        assert_eq!(inputs, vec![Input::WindowSize(511, 50)]);
    }

    #[test]
    fn ttype_is_asked_for_and_reported() {
        let mut t = Telnet::new(offers());
        let (_, reply) = feed(&mut t, &[IAC, WILL, TTYPE]);
        assert_eq!(reply, vec![IAC, SB, TTYPE, SEND, IAC, SE]);
        let mut data = vec![IAC, SB, TTYPE, IS];
        data.extend(b"xterm");
        data.extend([IAC, SE]);
        let (inputs, _) = feed(&mut t, &data);
        assert_eq!(inputs, vec![Input::TerminalType(b"xterm".to_vec())]);
    }

    #[test]
    fn environ_pairs_are_split() {
        let mut t = Telnet::new(offers());
        let mut data = vec![IAC, SB, NEW_ENVIRON, IS, ENV_VAR];
        data.extend(b"USER");
        data.push(ENV_VALUE);
        data.extend(b"bob");
        data.push(ENV_USERVAR);
        data.extend(b"CLIENT_NAME");
        data.push(ENV_VALUE);
        data.extend([b'a', ENV_ESC, 1, b'b']);
        data.extend([IAC, SE]);
        let (inputs, _) = feed(&mut t, &data);
        assert_eq!(
            inputs,
            vec![
                Input::Environ(b"USER".to_vec(), b"bob".to_vec()),
                Input::Environ(b"CLIENT_NAME".to_vec(), vec![b'a', 1, b'b']),
            ]
        );
    }

    #[test]
    fn gmcp_is_enabled_once_and_messages_arrive() {
        let mut t = Telnet::new(offers());
        let (inputs, _) = feed(&mut t, &[IAC, DO, GMCP, IAC, DO, GMCP]);
        assert_eq!(inputs, vec![Input::GmcpEnabled]);
        assert!(t.gmcp);
        let mut data = vec![IAC, SB, GMCP];
        data.extend(b"Core.Hello {}");
        data.extend([IAC, SE]);
        let (inputs, _) = feed(&mut t, &data);
        assert_eq!(inputs, vec![Input::Gmcp(b"Core.Hello {}".to_vec())]);
    }

    #[test]
    fn gmcp_is_refused_when_not_offered() {
        let mut t = Telnet::new(Offers {
            gmcp: false,
            mssp: false,
            mccp: false,
        });
        assert_eq!(
            t.greeting(),
            vec![IAC, DO, TTYPE, IAC, DO, NAWS, IAC, DO, NEW_ENVIRON]
        );
        let (inputs, reply) = feed(&mut t, &[IAC, DO, GMCP]);
        assert!(inputs.is_empty());
        assert_eq!(reply, vec![IAC, WONT, GMCP]);
    }

    #[test]
    fn mccp_starts_after_its_marker() {
        let mut t = Telnet::new(offers());
        let (inputs, reply) = feed(&mut t, &[IAC, DO, MCCP2]);
        assert_eq!(inputs, vec![Input::StartCompression]);
        assert_eq!(reply, vec![IAC, SB, MCCP2, IAC, SE]);
        let (inputs, reply) = feed(&mut t, &[IAC, DO, MCCP2]);
        assert!(inputs.is_empty() && reply.is_empty());
    }

    #[test]
    fn unknown_options_are_refused() {
        let mut t = Telnet::new(offers());
        let (_, reply) = feed(&mut t, &[IAC, WILL, 99, IAC, DO, 98]);
        assert_eq!(reply, vec![IAC, DONT, 99, IAC, WONT, 98]);
    }

    #[test]
    fn echo_switches_only_on_change() {
        let mut t = Telnet::new(offers());
        assert_eq!(t.set_echo(false), vec![IAC, WILL, ECHO]);
        assert!(t.set_echo(false).is_empty());
        assert_eq!(t.set_echo(true), vec![IAC, WONT, ECHO]);
    }

    #[test]
    fn char_mode_delivers_bytes() {
        let mut t = Telnet::new(offers());
        assert_eq!(t.set_char_mode(true), vec![IAC, WILL, SGA]);
        let (inputs, _) = feed(&mut t, b"ab");
        assert_eq!(inputs, vec![Input::Char(b'a'), Input::Char(b'b')]);
    }

    #[test]
    fn output_text_doubles_iac_and_adds_cr() {
        assert_eq!(text(b"a\nb\r\n\xff"), b"a\r\nb\r\n\xff\xff".to_vec());
        assert_eq!(
            subnegotiation(GMCP, b"x\xff"),
            vec![IAC, SB, GMCP, b'x', IAC, IAC, IAC, SE]
        );
        assert_eq!(
            mssp(&[(b"NAME".to_vec(), vec![b"Mud".to_vec()])]),
            vec![
                IAC, SB, MSSP, MSSP_VAR, b'N', b'A', b'M', b'E', MSSP_VAL, b'M', b'u', b'd', IAC,
                SE
            ]
        );
    }

    #[test]
    fn long_lines_are_cut_not_grown() {
        let mut t = Telnet::new(offers());
        let big = vec![b'x'; MAX_LINE * 3];
        let (inputs, _) = feed(&mut t, &big);
        assert!(inputs.is_empty());
        let (inputs, _) = feed(&mut t, b"\n");
        assert_eq!(inputs, vec![Input::Line(vec![b'x'; MAX_LINE])]);
    }

    fn all_protocols() -> Telnet {
        Telnet::with_protocols(
            offers(),
            Protocols {
                mxp: true,
                msdp: true,
                zmp: true,
                msp: true,
            },
        )
    }

    #[test]
    fn extra_protocols_are_offered_only_when_enabled() {
        let greeting = all_protocols().greeting();
        for wanted in [
            [IAC, DO, MXP],
            [IAC, WILL, MSDP],
            [IAC, WILL, ZMP],
            [IAC, WILL, MSP],
        ] {
            assert!(greeting.windows(3).any(|w| w == wanted), "{wanted:?}");
        }
        let mut t = Telnet::new(offers());
        let (inputs, reply) = feed(&mut t, &[IAC, DO, MSDP, IAC, DO, MSP, IAC, WILL, MXP]);
        assert!(inputs.is_empty());
        assert_eq!(reply, vec![IAC, WONT, MSDP, IAC, WONT, MSP, IAC, DONT, MXP]);
        assert!(!t.msdp && !t.msp && !t.mxp);
    }

    #[test]
    fn msdp_msp_and_mxp_are_agreed_once() {
        let mut t = all_protocols();
        let (inputs, reply) = feed(
            &mut t,
            &[
                IAC, DO, MSDP, IAC, DO, MSDP, IAC, DO, MSP, IAC, WILL, MXP, IAC, WILL, MXP,
            ],
        );
        assert_eq!(
            inputs,
            vec![Input::MsdpEnabled, Input::MspEnabled, Input::MxpEnabled]
        );
        assert!(reply.is_empty());
        assert!(t.msdp && t.msp && t.mxp);
        let mut data = vec![IAC, SB, MSDP, MSDP_VAR];
        data.extend(b"LIST");
        data.push(MSDP_VAL);
        data.extend(b"COMMANDS");
        data.extend([IAC, SE]);
        let (inputs, _) = feed(&mut t, &data);
        assert_eq!(inputs, vec![Input::Msdp(b"\x01LIST\x02COMMANDS".to_vec())]);
        let (_, reply) = feed(&mut t, &[IAC, DONT, MSP, IAC, DONT, MSP]);
        assert_eq!(reply, vec![IAC, WONT, MSP]);
        assert!(!t.msp);
        let (_, reply) = feed(&mut t, &[IAC, WONT, MXP]);
        assert!(reply.is_empty() && !t.mxp);
    }

    #[test]
    fn zmp_commands_are_split_into_fields() {
        let mut t = all_protocols();
        let (_, reply) = feed(&mut t, &[IAC, DO, ZMP]);
        assert!(reply.is_empty() && t.zmp);
        let mut data = vec![IAC, SB, ZMP];
        data.extend(b"zmp.ping\0a\0\0b\0");
        data.extend([IAC, SE]);
        let (inputs, _) = feed(&mut t, &data);
        assert_eq!(
            inputs,
            vec![Input::Zmp(
                b"zmp.ping".to_vec(),
                vec![b"a".to_vec(), Vec::new(), b"b".to_vec()]
            )]
        );
        // No command: nothing to report.
        let (inputs, _) = feed(&mut t, &[IAC, SB, ZMP, 0, IAC, SE]);
        assert!(inputs.is_empty());
        assert_eq!(
            zmp(b"zmp.ident", &[b"mud", b"1\0.0"]),
            [&[IAC, SB, ZMP][..], b"zmp.ident\0mud\x001.0\0", &[IAC, SE]].concat()
        );
    }

    #[test]
    fn small_commands_and_msdp_output() {
        assert_eq!(nop(), [IAC, NOP]);
        assert_eq!(start_mxp(), vec![IAC, SB, MXP, IAC, SE]);
        assert_eq!(
            msdp_variable(b"HP", b"10"),
            vec![
                IAC, SB, MSDP, MSDP_VAR, b'H', b'P', MSDP_VAL, b'1', b'0', IAC, SE
            ]
        );
    }

    #[test]
    fn any_bytes_are_safe() {
        // A cheap stand-in for fuzzing: every pair of bytes after every
        // state-changing prefix.
        let prefixes: [&[u8]; 5] = [&[], &[IAC], &[IAC, SB], &[IAC, SB, NAWS, IAC], b"\r"];
        for prefix in prefixes {
            for a in 0..=255u8 {
                for b in [0u8, 1, 13, 10, 240, 250, 255] {
                    let mut t = Telnet::new(offers());
                    let mut data = prefix.to_vec();
                    data.extend([a, b]);
                    let _ = feed(&mut t, &data);
                }
            }
        }
    }
}
