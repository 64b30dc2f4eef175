//! Fuzzes the telnet decoder: no byte sequence may panic, lines stay
//! within their cap, and how the bytes are split into reads never changes
//! what is decoded.
#![no_main]

use driver::net::telnet::{Input, MAX_LINE, Offers, Telnet};
use libfuzzer_sys::fuzz_target;

fn decode(telnet: &mut Telnet, chunks: &[&[u8]]) -> (Vec<Input>, Vec<u8>) {
    let mut inputs = Vec::new();
    let mut reply = Vec::new();
    for chunk in chunks {
        telnet.feed(chunk, &mut inputs, &mut reply);
    }
    (inputs, reply)
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the offers and the mode, the second how the
    // rest is cut into reads.
    let [flags, step, rest @ ..] = data else {
        return;
    };
    let offers = Offers {
        gmcp: flags & 1 != 0,
        mssp: flags & 2 != 0,
        mccp: flags & 4 != 0,
    };
    let mut whole = Telnet::new(offers);
    whole.char_mode = flags & 8 != 0;
    let mut split = whole.clone();
    let (inputs, reply) = decode(&mut whole, &[rest]);
    let step = usize::from(*step % 17) + 1;
    let chunks: Vec<&[u8]> = rest.chunks(step).collect();
    let (split_inputs, split_reply) = decode(&mut split, &chunks);
    assert_eq!(inputs, split_inputs);
    assert_eq!(reply, split_reply);
    for input in &inputs {
        if let Input::Line(line) = input {
            assert!(line.len() <= MAX_LINE);
        }
    }
});
