//! Hashes and bit strings: `crypt`, `oldcrypt`, `hash`, `sha1`, `crc32`,
//! and the six-bits-per-character bit string efuns `set_bit`, `clear_bit`,
//! `test_bit`, `next_bit`.

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, int_arg, str_arg};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("crypt", crypt);
    m.insert("oldcrypt", oldcrypt);
    m.insert("hash", hash);
    m.insert("sha1", sha1);
    m.insert("crc32", crc32);
    m.insert("set_bit", set_bit);
    m.insert("clear_bit", clear_bit);
    m.insert("test_bit", test_bit);
    m.insert("next_bit", next_bit);
}

/// The 64 characters crypt(3) encodes salts and hashes with, in value order.
const CRYPT_ALPHABET: &[u8; 64] =
    b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The characters a fresh SHA-512 salt is drawn from.
const SALT_CHOICE: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./";

/// A password as C code sees it: its bytes up to the first NUL.
fn c_bytes(text: &str) -> &[u8] {
    let bytes = text.as_bytes();
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

/// `crypt(password, salt)`: a crypt(3) hash. A salt naming a scheme
/// (`$1$` MD5, `$2a$`/`$2y$` bcrypt, `$5$` SHA-256, `$6$` SHA-512) or a
/// whole earlier hash selects it and its salt, so `crypt(pw, hash) == hash`
/// checks a password; other strings of two or more characters select the
/// traditional DES scheme with their first two characters; anything else
/// gets a fresh SHA-512 salt.
fn crypt(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let key = str_arg(vm, base, argc, 0, "crypt")?;
    let key = c_bytes(&key.text);
    let setting = match arg(vm, base, argc, 1) {
        Value::Str(s) => s.text.to_string(),
        _ => String::new(),
    };
    let bytes = setting.as_bytes();
    let named = bytes.first() == Some(&b'$')
        && ((bytes.len() >= 4
            && bytes[1] == b'2'
            && matches!(bytes[2], b'a' | b'x' | b'y')
            && bytes[3] == b'$')
            || (bytes.len() >= 3 && matches!(bytes[1], b'1' | b'5' | b'6') && bytes[2] == b'$'));
    let result = if named {
        if bytes.starts_with(b"$2x$") {
            bcrypt_2x(key, &setting)
        } else {
            pwhash::unix::crypt(key, &setting)
        }
    } else if bytes.len() >= 2 && bytes[0] != b'$' {
        des_crypt(key, [bytes[0], bytes[1]])
    } else {
        let salt: String = (0..16)
            .map(|_| SALT_CHOICE[rand::random_range(0..SALT_CHOICE.len())] as char)
            .collect();
        pwhash::sha512_crypt::hash_with(format!("$6${salt}").as_str(), key)
    };
    match result {
        Ok(hash) if !hash.starts_with('*') => Ok(Value::str(hash)),
        _ => Err(error("Error in crypt(), check your salt")),
    }
}

/// bcrypt's `$2x$` variant: hashes made by the old implementation that
/// sign-extended key bytes above 0x7f when building the key schedule.
/// The faulty schedule words are computed here and handed to bcrypt as a
/// 72-byte key that reads back as exactly those words.
fn bcrypt_2x(key: &[u8], setting: &str) -> pwhash::Result<String> {
    use base64::Engine;
    let invalid = pwhash::error::Error::InvalidHashString;
    let cost = setting
        .get(4..6)
        .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|c| c.parse::<u32>().ok())
        .filter(|c| (4..=31).contains(c))
        .ok_or(pwhash::error::Error::InvalidHashString)?;
    let salt_text = setting
        .get(7..29)
        .filter(|_| setting.as_bytes().get(6) == Some(&b'$'))
        .ok_or(pwhash::error::Error::InvalidHashString)?;
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::BCRYPT,
        base64::engine::GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
    );
    let salt: [u8; 16] = engine
        .decode(salt_text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(invalid)?;
    // The key with its NUL, repeated: the stream the schedule reads.
    let mut stream = key.iter().copied().chain(std::iter::once(0)).cycle();
    let mut schedule = [0u8; 72];
    for word in schedule.chunks_exact_mut(4) {
        let mut w = 0u32;
        for _ in 0..4 {
            let b = stream.next().unwrap_or(0);
            w = (w << 8) | (b as i8 as i32 as u32);
        }
        word.copy_from_slice(&w.to_be_bytes());
    }
    let raw = bcrypt::bcrypt(cost, salt, &schedule);
    Ok(format!(
        "$2x${cost:02}${}{}",
        engine.encode(salt),
        engine.encode(&raw[..23])
    ))
}

/// Traditional DES crypt with a two-character salt. Any byte may salt it:
/// each maps to six bits as the classic implementations map it, and the
/// hash starts with the salt exactly as given.
fn des_crypt(key: &[u8], salt: [u8; 2]) -> pwhash::Result<String> {
    if salt.iter().any(|&c| matches!(c, 0 | b'\n' | b':')) {
        return Err(pwhash::error::Error::InvalidHashString);
    }
    let six_bits = |c: u8| -> u8 {
        // Bytes above 0x7f count as negative, as with a signed `char`.
        let c = i32::from(c as i8);
        let v = if c >= i32::from(b'a') {
            c - (i32::from(b'a') - 38)
        } else if c >= i32::from(b'A') {
            c - (i32::from(b'A') - 12)
        } else {
            c - i32::from(b'.')
        };
        (v & 0x3f) as u8
    };
    let canonical: String = salt
        .iter()
        .map(|&c| CRYPT_ALPHABET[six_bits(c) as usize] as char)
        .collect();
    // Reading and checking old hashes is the point here, weak as they are.
    #[allow(deprecated)]
    let hash = pwhash::unix_crypt::hash_with(&canonical, key)?;
    let mut out = String::from_utf8_lossy(&salt).into_owned();
    out.push_str(hash.get(2..).unwrap_or(""));
    Ok(out)
}

/// `oldcrypt(password, salt)`: the driver's historic MD5-based scheme. The
/// result is four salt bytes and a sixteen-byte digest, each byte written
/// as two characters `0x60 + nibble` (low nibble first), joined by `!`.
/// Passing an earlier result as the salt reuses its salt; any other string
/// of two or more characters is digested into a salt; else it is random.
fn oldcrypt(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let key = str_arg(vm, base, argc, 0, "oldcrypt")?;
    let salt_text = match arg(vm, base, argc, 1) {
        Value::Str(s) if s.text.len() >= 2 => c_bytes(&s.text).to_vec(),
        _ => {
            const CHOICE: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ./";
            (0..8)
                .map(|_| CHOICE[rand::random_range(0..CHOICE.len())])
                .collect()
        }
    };
    let (salt, digest) = md5_crypt_scheme(c_bytes(&key.text), &salt_text);
    let mut out = Vec::with_capacity(41);
    encode_nibbles(&mut out, &salt);
    out.push(b'!');
    encode_nibbles(&mut out, &digest);
    Ok(Value::str(String::from_utf8_lossy(&out).into_owned()))
}

/// The size of the scheme's working buffer: what one MD5 block holds.
const OLD_BUFFER: usize = 55;
const OLD_SALT: usize = 4;
/// A salt string in the scheme's own format, used to derive salts.
const OLD_VALID_SALT: &[u8] = b"anhlklck!ggddl`l`lg`bjblodlfcljdcnhffib`c";

/// The scheme's own digest of at most 55 bytes: the MD5 compression of one
/// block, but with the data read as big-endian words, the padding bit and
/// length placed as for little-endian ones, and each state word written
/// out big-endian.
fn md5(data: &[u8]) -> [u8; 16] {
    let len = data.len().min(OLD_BUFFER);
    let mut words = [0u32; 16];
    for (word, chunk) in words.iter_mut().zip(data[..len].chunks(4)) {
        let mut bytes = [0u8; 4];
        bytes[..chunk.len()].copy_from_slice(chunk);
        *word = u32::from_be_bytes(bytes);
    }
    words[len / 4] |= 0x80 << (8 * (len % 4));
    words[14] = (len as u32) << 3;
    let mut block = [0u8; 64];
    for (out, word) in block.chunks_exact_mut(4).zip(words) {
        out.copy_from_slice(&word.to_le_bytes());
    }
    let mut state = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    md5::block_api::compress(&mut state, &[block]);
    let mut digest = [0u8; 16];
    for (out, word) in digest.chunks_exact_mut(4).zip(state) {
        out.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

fn encode_nibbles(out: &mut Vec<u8>, data: &[u8]) {
    for &b in data {
        out.push(0x60 + (b & 0x0f));
        out.push(0x60 + (b >> 4));
    }
}

/// The salt bytes a salt string stands for.
fn old_salt(from: &[u8]) -> [u8; OLD_SALT] {
    let mut to = [0u8; OLD_SALT];
    if from.len() > OLD_SALT * 2 && from.get(OLD_SALT * 2) == Some(&b'!') {
        for (i, b) in to.iter_mut().enumerate() {
            *b = (from[2 * i] & 0x0f) | ((from[2 * i + 1] & 0x0f) << 4);
        }
        return to;
    }
    // Not one of ours: digest it, so the salt reveals nothing of the text.
    let (_, digest) = md5_crypt_scheme(from, OLD_VALID_SALT);
    to = [from.len() as u8; OLD_SALT];
    for (i, d) in digest.iter().enumerate() {
        to[i % OLD_SALT] = to[i % OLD_SALT].wrapping_add(*d);
    }
    to
}

/// Appends `data` to the fixed-size buffer, digesting the buffer down to
/// sixteen bytes whenever it would overflow.
fn crunch(buf: &mut [u8; OLD_BUFFER], used: &mut usize, mut data: &[u8]) {
    if *used + data.len() <= OLD_BUFFER {
        buf[*used..*used + data.len()].copy_from_slice(data);
        *used += data.len();
        return;
    }
    while !data.is_empty() {
        if *used > 16 {
            let d = md5(&buf[..*used]);
            buf[..16].copy_from_slice(&d);
            *used = 16;
        }
        let n = (OLD_BUFFER - *used).min(data.len());
        buf[*used..*used + n].copy_from_slice(&data[..n]);
        *used += n;
        data = &data[n..];
    }
}

/// The salt and digest of `key` under the oldcrypt scheme.
fn md5_crypt_scheme(key: &[u8], salt_text: &[u8]) -> ([u8; OLD_SALT], [u8; 16]) {
    let salt = old_salt(salt_text);
    let mut buf = [0u8; OLD_BUFFER];
    let mut used = 0;
    // The key and the magic word go in with their terminating NULs.
    let mut with_nul = key.to_vec();
    with_nul.push(0);
    crunch(&mut buf, &mut used, &with_nul);
    crunch(&mut buf, &mut used, b"xyzz\0");
    crunch(&mut buf, &mut used, &salt);
    // Many rounds, their count depending on the key's length, slow down guessing.
    let mut work = buf;
    let mut digest = [0u8; 16];
    let len = key.len();
    let mut i = 3000 + 11 * len;
    while i > 0 {
        digest = md5(&work);
        let at = (i + len) % (OLD_BUFFER - 16);
        work[at..at + 16].copy_from_slice(&digest);
        i -= 1;
    }
    crunch(&mut buf, &mut used, &digest);
    (salt, md5(&buf))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// `hash(algorithm, text)`: the hex digest of `text`; the algorithm name is
/// case-insensitive.
fn hash(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    use sha2::Digest;
    let algo = str_arg(vm, base, argc, 0, "hash")?;
    let text = str_arg(vm, base, argc, 1, "hash")?;
    let data = text.text.as_bytes();
    let digest: Vec<u8> = match algo.text.to_ascii_lowercase().as_str() {
        "md4" => md4::Md4::digest(data).to_vec(),
        "md5" => <md5::Md5 as md5::Digest>::digest(data).to_vec(),
        "sha1" => sha1::Sha1::digest(data).to_vec(),
        "sha224" => sha2::Sha224::digest(data).to_vec(),
        "sha256" => sha2::Sha256::digest(data).to_vec(),
        "sha384" => sha2::Sha384::digest(data).to_vec(),
        "sha512" => sha2::Sha512::digest(data).to_vec(),
        "sha3-224" => sha3::Sha3_224::digest(data).to_vec(),
        "sha3-256" => sha3::Sha3_256::digest(data).to_vec(),
        "sha3-384" => sha3::Sha3_384::digest(data).to_vec(),
        "sha3-512" => sha3::Sha3_512::digest(data).to_vec(),
        "ripemd160" => ripemd::Ripemd160::digest(data).to_vec(),
        "blake2b512" => blake2::Blake2b512::digest(data).to_vec(),
        "blake2s256" => blake2::Blake2s256::digest(data).to_vec(),
        "sm3" => sm3::Sm3::digest(data).to_vec(),
        _ => {
            return Err(error(format!("hash() unknown hash type: {}", algo.text)));
        }
    };
    Ok(Value::str(hex(&digest)))
}

/// `sha1(data)`: the hex SHA-1 digest of a string's or a buffer's bytes.
fn sha1(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    use sha1::Digest;
    let digest = match arg(vm, base, argc, 0) {
        Value::Str(s) => sha1::Sha1::digest(s.text.as_bytes()),
        Value::Buffer(b) => sha1::Sha1::digest(b.borrow().as_slice()),
        other => return Err(bad_arg("sha1", 0, &other)),
    };
    Ok(Value::str(hex(&digest)))
}

/// `crc32(data)`: the CRC-32 register after a string's or buffer's bytes,
/// without the customary final inversion.
fn crc32(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let crc = match arg(vm, base, argc, 0) {
        Value::Str(s) => crc32fast::hash(s.text.as_bytes()),
        Value::Buffer(b) => crc32fast::hash(b.borrow().as_slice()),
        other => return Err(bad_arg("crc32", 0, &other)),
    };
    Ok(Value::Int(i64::from(!crc)))
}

/// The most bits a bit string may address.
const MAX_BITFIELD_BITS: i64 = 1200;

/// The six bits a bit string character holds, or an error naming it.
fn bit_char(c: u8, at: usize, efun: &str) -> Result<u8, Unwind> {
    if !(b' '..=b' ' + 0x3f).contains(&c) {
        return Err(error(format!(
            "Illegal bit pattern in {efun} character {at}"
        )));
    }
    Ok(c - b' ')
}

/// The bit number argument, checked against the bit string limit.
fn bit_number(vm: &Vm, base: usize, argc: usize, efun: &str) -> Result<usize, Unwind> {
    let n = int_arg(vm, base, argc, 1, efun)?;
    if n > MAX_BITFIELD_BITS {
        return Err(error(format!(
            "{efun}() bit requested: {n} > maximum bits: {MAX_BITFIELD_BITS}"
        )));
    }
    usize::try_from(n).map_err(|_| error(format!("Bad argument 2 (negative) to {efun}().")))
}

/// `set_bit(str, n)`: `str` with bit `n` set, grown with spaces (no bits)
/// as needed.
fn set_bit(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "set_bit")?;
    let n = bit_number(vm, base, argc, "set_bit")?;
    let mut bytes = s.text.as_bytes().to_vec();
    let at = n / 6;
    if at >= bytes.len() {
        bytes.resize(at + 1, b' ');
    }
    let bits = bit_char(bytes[at], at, "set_bit")?;
    bytes[at] = (bits | (1 << (n % 6))) + b' ';
    Ok(Value::str(String::from_utf8_lossy(&bytes).into_owned()))
}

/// `clear_bit(str, n)`: `str` with bit `n` cleared.
fn clear_bit(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "clear_bit")?;
    let n = bit_number(vm, base, argc, "clear_bit")?;
    let at = n / 6;
    if at >= s.text.len() {
        return Ok(Value::Str(s));
    }
    let mut bytes = s.text.as_bytes().to_vec();
    let bits = bit_char(bytes[at], at, "clear_bit")?;
    bytes[at] = (bits & !(1 << (n % 6))) + b' ';
    Ok(Value::str(String::from_utf8_lossy(&bytes).into_owned()))
}

/// `test_bit(str, n)`: 1 when bit `n` is set.
fn test_bit(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "test_bit")?;
    let n = int_arg(vm, base, argc, 1, "test_bit")?;
    let Ok(n) = usize::try_from(n) else {
        return Err(error("Bad argument 2 (negative) to test_bit()."));
    };
    let Some(&c) = s.text.as_bytes().get(n / 6) else {
        return Ok(Value::Int(0));
    };
    let set = (c.wrapping_sub(b' ') >> (n % 6)) & 1;
    Ok(Value::Int(i64::from(set)))
}

/// `next_bit(str, n)`: the first set bit after bit `n`, or -1; a start of
/// zero or less searches from bit 0 itself.
fn next_bit(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "next_bit")?;
    let start = int_arg(vm, base, argc, 1, "next_bit")?;
    let bytes = s.text.as_bytes();
    let first = if start <= 0 { 0 } else { start as usize + 1 };
    let total = bytes.len().saturating_mul(6);
    for bit in first..total {
        let Some(&c) = bytes.get(bit / 6) else { break };
        if (c.wrapping_sub(b' ') >> (bit % 6)) & 1 == 1 {
            return Ok(Value::Int(bit as i64));
        }
    }
    Ok(Value::Int(-1))
}
