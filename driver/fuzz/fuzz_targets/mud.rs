//! Fuzzes the MUD mode packet decoder of `MUD` ports and sockets, and the
//! save-format reading of each packet: no input may panic, how the bytes
//! are split into reads never changes the packets or the error, packets
//! stay within the limit, and each packet wraps back into the same bytes.
#![no_main]

use driver::efuns::save::format::Reader;
use driver::net::mud::{Decoder, decode_reads, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte sets the size limit, the second how the rest is cut
    // into reads.
    let [limit, step, rest @ ..] = data else {
        return;
    };
    let limit = usize::from(*limit) * 4 + 1;
    let whole = decode_reads(limit, [rest]);
    let split = decode_reads(limit, rest.chunks(usize::from(*step % 17) + 1));
    assert_eq!(whole, split);
    let packets = whole.0;
    let reader = Reader {
        max_array: 1000,
        max_mapping: 1000,
        layouts: &[],
        hint: None,
    };
    for packet in &packets {
        assert!(packet.len() <= limit);
        assert!(!packet.contains(&0));
        let _ = reader.read(&String::from_utf8_lossy(packet));
        let mut again = Vec::new();
        Decoder::new(limit + 1)
            .feed(&encode(packet), &mut again)
            .expect("a wrapped packet reads back");
        assert_eq!(again, vec![packet.clone()]);
    }
});
