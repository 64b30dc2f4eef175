//! MUD mode framing, shared by `MUD` ports and `MUD` sockets: each packet
//! is a 4-byte big-endian length, then that many bytes holding one LPC
//! value in the save text format, ended by a NUL. Turning the text into a
//! value is the VM's job; this module only cuts and wraps packets, so the
//! network tasks can use it and a fuzzer can drive it.

/// The largest packet accepted unless the caller says otherwise.
pub const DEFAULT_LIMIT: usize = 1 << 20;

/// Why a stream of packets cannot go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// A length of 0, or above the limit; the stream cannot be resynchronised.
    BadLength(u32),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::BadLength(n) => write!(f, "MUD mode packet of bad length {n}"),
        }
    }
}

/// Cuts a byte stream into packets, across reads of any size.
#[derive(Clone, Debug)]
pub struct Decoder {
    limit: usize,
    header: [u8; 4],
    header_len: usize,
    /// The length of the packet being read, once its header is complete.
    want: Option<usize>,
    body: Vec<u8>,
    failed: Option<Error>,
}

impl Decoder {
    /// A decoder refusing packets longer than `limit` bytes.
    pub fn new(limit: usize) -> Decoder {
        Decoder {
            limit,
            header: [0; 4],
            header_len: 0,
            want: None,
            body: Vec::new(),
            failed: None,
        }
    }

    /// Appends the text of every packet `data` completes to `out` (each
    /// without its terminating NUL, and cut at any earlier NUL as a C
    /// string would be). After an error every later call fails the same way.
    pub fn feed(&mut self, mut data: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), Error> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        while !data.is_empty() {
            let Some(want) = self.want else {
                let take = (4 - self.header_len).min(data.len());
                let (head, rest) = data.split_at(take);
                if let Some(slot) = self.header.get_mut(self.header_len..self.header_len + take) {
                    slot.copy_from_slice(head);
                }
                self.header_len += take;
                data = rest;
                if self.header_len == 4 {
                    let n = u32::from_be_bytes(self.header);
                    let len = n as usize;
                    if len == 0 || len > self.limit {
                        let e = Error::BadLength(n);
                        self.failed = Some(e);
                        return Err(e);
                    }
                    self.header_len = 0;
                    self.want = Some(len);
                    // The length is bounded by the limit, so reserving it
                    // costs at most that much.
                    self.body.reserve(len.min(64 * 1024));
                }
                continue;
            };
            let take = (want - self.body.len()).min(data.len());
            let (part, rest) = data.split_at(take);
            self.body.extend_from_slice(part);
            data = rest;
            if self.body.len() == want {
                let mut body = std::mem::take(&mut self.body);
                if let Some(end) = body.iter().position(|&b| b == 0) {
                    body.truncate(end);
                }
                out.push(body);
                self.want = None;
            }
        }
        Ok(())
    }
}

/// Decodes `reads` in turn with a fresh decoder, up to the first error:
/// the packets found, and how the stream ended.
pub fn decode_reads<'a>(
    limit: usize,
    reads: impl IntoIterator<Item = &'a [u8]>,
) -> (Vec<Vec<u8>>, Result<(), Error>) {
    let mut decoder = Decoder::new(limit);
    let mut packets = Vec::new();
    for read in reads {
        if let Err(e) = decoder.feed(read, &mut packets) {
            return (packets, Err(e));
        }
    }
    (packets, Ok(()))
}

/// The packet carrying `text`.
pub fn encode(text: &[u8]) -> Vec<u8> {
    let len = u32::try_from(text.len() + 1).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(text.len() + 5);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(text);
    out.push(0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_round_trip_across_any_split() {
        let mut wire = encode(b"({1,\"a\",})");
        wire.extend(encode(b"42"));
        for step in 1..wire.len() {
            let mut d = Decoder::new(DEFAULT_LIMIT);
            let mut out = Vec::new();
            for chunk in wire.chunks(step) {
                d.feed(chunk, &mut out).expect("well formed");
            }
            assert_eq!(out, vec![b"({1,\"a\",})".to_vec(), b"42".to_vec()]);
        }
    }

    #[test]
    fn bad_lengths_stop_the_stream() {
        let mut d = Decoder::new(16);
        let mut out = Vec::new();
        assert_eq!(d.feed(&[0, 0, 0, 0], &mut out), Err(Error::BadLength(0)));
        assert_eq!(d.feed(&encode(b"1"), &mut out), Err(Error::BadLength(0)));
        let mut d = Decoder::new(16);
        assert_eq!(
            d.feed(&[0, 0, 0, 17, b'x'], &mut out),
            Err(Error::BadLength(17))
        );
        let mut d = Decoder::new(16);
        assert_eq!(
            d.feed(&[0xff, 0xff, 0xff, 0xff], &mut out),
            Err(Error::BadLength(u32::MAX))
        );
        assert!(out.is_empty());
    }

    #[test]
    fn text_ends_at_the_first_nul() {
        let mut d = Decoder::new(DEFAULT_LIMIT);
        let mut out = Vec::new();
        d.feed(&[0, 0, 0, 4, b'1', 0, b'2', 0], &mut out)
            .expect("well formed");
        assert_eq!(out, vec![b"1".to_vec()]);
    }

    #[test]
    fn random_streams_split_anyhow_decode_alike() {
        // A cheap stand-in for the fuzz target: pseudo-random streams made
        // mostly of plausible headers, each read whole and in pieces.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let mut stream = Vec::new();
            for _ in 0..next() % 6 {
                let len = (next() % 40) as usize;
                if next() % 8 == 0 {
                    stream.extend((next() as u32).to_be_bytes());
                } else {
                    stream.extend((len as u32).to_be_bytes());
                }
                stream.extend((0..len).map(|_| next() as u8));
            }
            let limit = (next() % 48) as usize + 1;
            let step = (next() % 7) as usize + 1;
            let whole = decode_reads(limit, [stream.as_slice()]);
            assert_eq!(whole, decode_reads(limit, stream.chunks(step)));
            for packet in &whole.0 {
                assert!(packet.len() <= limit && !packet.contains(&0));
            }
        }
    }
}
