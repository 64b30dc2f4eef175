//! Numbers: conversions, floating point functions, vectors, 4x4
//! transformation matrices, `abs`, and random numbers.

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, int_arg};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("cos", |vm, b, n| unary(vm, b, n, "cos", f64::cos));
    m.insert("sin", |vm, b, n| unary(vm, b, n, "sin", f64::sin));
    m.insert("tan", |vm, b, n| unary(vm, b, n, "tan", f64::tan));
    m.insert("atan", |vm, b, n| unary(vm, b, n, "atan", f64::atan));
    m.insert("exp", |vm, b, n| unary(vm, b, n, "exp", f64::exp));
    m.insert("floor", |vm, b, n| unary(vm, b, n, "floor", f64::floor));
    m.insert("ceil", |vm, b, n| unary(vm, b, n, "ceil", f64::ceil));
    // Halves round away from zero, as C's round() does.
    m.insert("round", |vm, b, n| unary(vm, b, n, "round", f64::round));
    m.insert("asin", asin);
    m.insert("acos", acos);
    m.insert("sqrt", sqrt);
    m.insert("log", |vm, b, n| logarithm(vm, b, n, "log", f64::ln));
    m.insert("log10", |vm, b, n| logarithm(vm, b, n, "log10", f64::log10));
    m.insert("log2", |vm, b, n| logarithm(vm, b, n, "log2", f64::log2));
    m.insert("pow", pow);
    m.insert("abs", abs);
    m.insert("to_int", to_int);
    m.insert("to_float", to_float);
    m.insert("norm", norm);
    m.insert("dotprod", dotprod);
    m.insert("distance", distance);
    m.insert("angle", angle);
    m.insert("random", random);
    m.insert("secure_random", secure_random);
    m.insert("roll_MdN", roll_mdn);
    m.insert("id_matrix", id_matrix);
    m.insert("translate", translate);
    m.insert("scale", scale);
    m.insert("rotate_x", |vm, b, n| rotate(vm, b, n, "rotate_x", Axis::X));
    m.insert("rotate_y", |vm, b, n| rotate(vm, b, n, "rotate_y", Axis::Y));
    m.insert("rotate_z", |vm, b, n| rotate(vm, b, n, "rotate_z", Axis::Z));
    m.insert("lookat_rotate", lookat_rotate);
    m.insert("lookat_rotate2", lookat_rotate2);
}

/// Argument `i` as a float; ints convert.
fn num_arg(vm: &Vm, base: usize, argc: usize, i: usize, efun: &str) -> Result<f64, Unwind> {
    match arg(vm, base, argc, i) {
        Value::Float(f) => Ok(f.get()),
        Value::Int(n) => Ok(n as f64),
        Value::Undefined => Ok(0.0),
        other => Err(bad_arg(efun, i, &other)),
    }
}

fn unary(
    vm: &mut Vm,
    base: usize,
    argc: usize,
    efun: &str,
    f: fn(f64) -> f64,
) -> Result<Value, Unwind> {
    Ok(Value::float(f(num_arg(vm, base, argc, 0, efun)?)))
}

/// `asin` and `acos`: defined on [-1, 1] only.
fn arc(
    vm: &mut Vm,
    base: usize,
    argc: usize,
    efun: &str,
    f: fn(f64) -> f64,
) -> Result<Value, Unwind> {
    let x = num_arg(vm, base, argc, 0, efun)?;
    if x < -1.0 {
        return Err(error(format!("math: {efun}(x) with (x < -1.0)")));
    }
    if x > 1.0 {
        return Err(error(format!("math: {efun}(x) with (x > 1.0)")));
    }
    Ok(Value::float(f(x)))
}

fn asin(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    arc(vm, base, argc, "asin", f64::asin)
}

fn acos(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    arc(vm, base, argc, "acos", f64::acos)
}

fn sqrt(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let x = num_arg(vm, base, argc, 0, "sqrt")?;
    if x < 0.0 {
        return Err(error("math: sqrt(x) with (x < 0.0)"));
    }
    Ok(Value::float(x.sqrt()))
}

fn logarithm(
    vm: &mut Vm,
    base: usize,
    argc: usize,
    efun: &str,
    f: fn(f64) -> f64,
) -> Result<Value, Unwind> {
    let x = num_arg(vm, base, argc, 0, efun)?;
    if x <= 0.0 {
        return Err(error(format!("math: {efun}(x) with (x <= 0.0)")));
    }
    Ok(Value::float(f(x)))
}

fn pow(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let x = num_arg(vm, base, argc, 0, "pow")?;
    let y = num_arg(vm, base, argc, 1, "pow")?;
    Ok(Value::float(x.powf(y)))
}

/// `abs(n)`: an int stays an int, a float a float (never -0.0).
fn abs(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    match arg(vm, base, argc, 0) {
        Value::Int(n) => Ok(Value::Int(n.wrapping_abs())),
        Value::Undefined => Ok(Value::Int(0)),
        Value::Float(f) => Ok(Value::float(f.get().abs())),
        other => Err(bad_arg("abs", 0, &other)),
    }
}

/// `to_int(x)`: a float truncated toward zero (saturating); the leading
/// integer of a string, as C's `strtoll` reads it (saturating, `"10x"` is
/// 10, undefined when no digits start it); the first four bytes of a
/// buffer as a big-endian int (0 when shorter).
fn to_int(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    Ok(match arg(vm, base, argc, 0) {
        Value::Float(f) => Value::Int(f.get() as i64),
        Value::Int(i) => Value::Int(i),
        Value::Str(s) => leading_int(&s.text).map_or(Value::Undefined, Value::Int),
        Value::Buffer(b) => {
            let b = b.borrow();
            match b.get(..4) {
                Some(&[a, b2, c, d]) => Value::Int(i64::from(i32::from_be_bytes([a, b2, c, d]))),
                _ => Value::Int(0),
            }
        }
        Value::Undefined => Value::Int(0),
        other => return Err(bad_arg("to_int", 0, &other)),
    })
}

/// The integer a string starts with (after white space), saturated to
/// the int range; `Some(0)` for the empty string, `None` when no digits
/// start a non-empty one.
fn leading_int(text: &str) -> Option<i64> {
    if text.is_empty() {
        return Some(0);
    }
    let t = text.trim_start();
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let mut n: i64 = 0;
    for b in digits[..end].bytes() {
        let d = i64::from(b - b'0');
        n = if negative {
            n.saturating_mul(10).saturating_sub(d)
        } else {
            n.saturating_mul(10).saturating_add(d)
        };
    }
    Some(n)
}

/// `to_float(x)`: an int as a float; the leading number of a string, as
/// C's `strtod` reads it (0.0 when none).
fn to_float(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    Ok(match arg(vm, base, argc, 0) {
        Value::Float(f) => Value::Float(f),
        Value::Int(i) => Value::float(i as f64),
        Value::Str(s) => Value::float(leading_float(&s.text)),
        Value::Undefined => Value::float(0.0),
        other => return Err(bad_arg("to_float", 0, &other)),
    })
}

/// The float a string starts with: decimal with an optional exponent,
/// `inf`, `infinity` or `nan` in any case, or hexadecimal after `0x`.
fn leading_float(text: &str) -> f64 {
    let t = text.trim_start();
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, &t[1..]),
        Some(b'+') => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    let lower = body.to_ascii_lowercase();
    if lower.starts_with("inf") {
        return sign * f64::INFINITY;
    }
    if lower.starts_with("nan") {
        return f64::NAN;
    }
    if let Some(hex) = lower.strip_prefix("0x")
        && let Some(v) = leading_hex_float(hex)
    {
        return sign * v;
    }
    let bytes = body.as_bytes();
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |n| from + n)
    };
    let int_end = digits(0);
    let mut end = int_end;
    if bytes.get(end) == Some(&b'.') {
        end = digits(end + 1);
    }
    // A lone "." is no number.
    if end == 0 || (end == 1 && int_end == 0) {
        return 0.0;
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut e = end + 1;
        if matches!(bytes.get(e), Some(b'+' | b'-')) {
            e += 1;
        }
        let exp_end = digits(e);
        if exp_end > e {
            end = exp_end;
        }
    }
    sign * body[..end].parse::<f64>().unwrap_or(0.0)
}

/// A hexadecimal float after its `0x`: digits, an optional fraction and an
/// optional binary exponent `p`; `None` when no digit follows.
fn leading_hex_float(hex: &str) -> Option<f64> {
    let mut value = 0.0f64;
    let mut scale = 0i32;
    let mut seen = false;
    let mut in_fraction = false;
    let mut rest = hex;
    for (i, c) in hex.char_indices() {
        match c {
            '.' if !in_fraction => in_fraction = true,
            _ => match c.to_digit(16) {
                Some(d) => {
                    seen = true;
                    value = value * 16.0 + f64::from(d);
                    if in_fraction {
                        scale -= 4;
                    }
                }
                None => {
                    rest = &hex[i..];
                    break;
                }
            },
        }
        rest = &hex[i + c.len_utf8()..];
    }
    if !seen {
        return None;
    }
    if let Some(exp) = rest.strip_prefix('p')
        && let Some(e) = leading_int(exp).filter(|_| !exp.is_empty())
    {
        scale = scale.saturating_add(e.clamp(-10_000, 10_000) as i32);
    }
    Some(value * 2f64.powi(scale))
}

/// A vector argument's coordinates; `None` when an element is not a number.
fn coordinates(v: &Value) -> Option<Vec<f64>> {
    let Value::Array(a) = v else { return None };
    a.borrow()
        .iter()
        .map(|x| match x {
            Value::Int(n) => Some(*n as f64),
            Value::Float(f) => Some(f.get()),
            _ => None,
        })
        .collect()
}

fn vector_arg(vm: &Vm, base: usize, argc: usize, i: usize, efun: &str) -> Result<Vec<f64>, Unwind> {
    let v = arg(vm, base, argc, i);
    if !matches!(v, Value::Array(_)) {
        return Err(bad_arg(efun, i, &v));
    }
    coordinates(&v).ok_or_else(|| error(format!("{efun}: invalid argument {}.", i + 1)))
}

/// Both vector arguments, of one size.
fn vector_pair(
    vm: &Vm,
    base: usize,
    argc: usize,
    efun: &str,
    what: &str,
) -> Result<(Vec<f64>, Vec<f64>), Unwind> {
    let a = vector_arg(vm, base, argc, 0, efun)?;
    let b = vector_arg(vm, base, argc, 1, efun)?;
    if a.len() != b.len() {
        return Err(error(format!(
            "{efun}: cannot {what} of vectors of different sizes."
        )));
    }
    Ok((a, b))
}

fn length(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    Ok(Value::float(length(&vector_arg(
        vm, base, argc, 0, "norm",
    )?)))
}

fn dotprod(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let (a, b) = vector_pair(vm, base, argc, "dotprod", "take the dotprod")?;
    Ok(Value::float(dot(&a, &b)))
}

fn distance(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let (a, b) = vector_pair(vm, base, argc, "distance", "take the distance")?;
    let squares: f64 = a.iter().zip(&b).map(|(x, y)| (y - x) * (y - x)).sum();
    Ok(Value::float(squares.sqrt()))
}

/// The angle between two vectors in radians.
fn angle(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let (a, b) = vector_pair(vm, base, argc, "angle", "calculate the angle between")?;
    Ok(Value::float(
        (dot(&a, &b) / (length(&a) * length(&b))).acos(),
    ))
}

/// `random(n)`: a number in `0..n`, or 0 when `n` is not positive.
fn random(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let n = int_arg(vm, base, argc, 0, "random")?;
    if n <= 0 {
        return Ok(Value::Int(0));
    }
    Ok(Value::Int(rand::random_range(0..n)))
}

/// `secure_random(n)`: like `random`, drawn from the operating system's
/// cryptographic source.
fn secure_random(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    use rand::{Rng, TryRngCore};
    let n = int_arg(vm, base, argc, 0, "secure_random")?;
    if n <= 0 {
        return Ok(Value::Int(0));
    }
    let mut os = rand::rngs::OsRng;
    // Draw one word first, so an unavailable source is an LPC error, not a panic.
    os.try_next_u64()
        .map_err(|e| error(format!("secure_random(): {e}")))?;
    Ok(Value::Int(os.unwrap_err().random_range(0..n)))
}

/// `roll_MdN(m, n, bonus)`: the sum of `m` rolls of an `n`-sided die plus
/// `bonus`; 0 when `m` or `n` is not positive.
fn roll_mdn(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let rolls = int_arg(vm, base, argc, 0, "roll_MdN")?;
    let sides = int_arg(vm, base, argc, 1, "roll_MdN")?;
    let bonus = int_arg(vm, base, argc, 2, "roll_MdN")?;
    if rolls <= 0 || sides <= 0 {
        return Ok(Value::Int(0));
    }
    let mut total = bonus;
    for _ in 0..rolls {
        total = total.wrapping_add(1 + rand::random_range(0..sides));
    }
    Ok(Value::Int(total))
}

type Matrix = [f64; 16];

const IDENTITY: Matrix = [
    1., 0., 0., 0., 0., 1., 0., 0., 0., 0., 1., 0., 0., 0., 0., 1.,
];

/// Matrix angles are in degrees; this is the factor the classic package uses.
const RADIANS_PER_DEGREE: f64 = 0.017_453_292_52;

fn id_matrix(_: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    Ok(Value::array(
        IDENTITY.iter().map(|&x| Value::float(x)).collect(),
    ))
}

/// The matrix argument (the array itself, which transforms update in
/// place) and its values.
fn matrix_arg(vm: &Vm, base: usize, argc: usize, efun: &str) -> Result<(Value, Matrix), Unwind> {
    let v = arg(vm, base, argc, 0);
    let Value::Array(a) = &v else {
        return Err(bad_arg(efun, 0, &v));
    };
    let items = a.borrow();
    if items.len() < 16 {
        return Err(error("matrix transform requires a 16-element array."));
    }
    let mut m = [0.0; 16];
    for (slot, item) in m.iter_mut().zip(items.iter()) {
        let Value::Float(f) = item else {
            return Err(error("matrix transform requires a 16-element float array."));
        };
        *slot = f.get();
    }
    drop(items);
    Ok((v, m))
}

/// Float arguments `from..from + N`: matrix parameters must be floats.
fn float_args<const N: usize>(
    vm: &Vm,
    base: usize,
    argc: usize,
    from: usize,
    efun: &str,
) -> Result<[f64; N], Unwind> {
    let mut out = [0.0; N];
    for (k, slot) in out.iter_mut().enumerate() {
        match arg(vm, base, argc, from + k) {
            Value::Float(f) => *slot = f.get(),
            other => return Err(bad_arg(efun, from + k, &other)),
        }
    }
    Ok(out)
}

/// `a × b` in the row-vector convention the matrix efuns use.
fn multiply(a: &Matrix, b: &Matrix) -> Matrix {
    let mut m = [0.0; 16];
    for row in 0..4 {
        for col in 0..4 {
            m[row * 4 + col] = (0..4).map(|k| a[row * 4 + k] * b[k * 4 + col]).sum();
        }
    }
    m
}

/// Writes `m` into the matrix array and returns that array.
fn store(target: Value, m: &Matrix) -> Value {
    if let Value::Array(a) = &target {
        let mut items = a.borrow_mut();
        for (item, x) in items.iter_mut().zip(m) {
            *item = Value::float(*x);
        }
    }
    target
}

fn translate(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let (target, current) = matrix_arg(vm, base, argc, "translate")?;
    let [x, y, z] = float_args::<3>(vm, base, argc, 1, "translate")?;
    let mut t = IDENTITY;
    t[12] = x;
    t[13] = y;
    t[14] = z;
    Ok(store(target, &multiply(&current, &t)))
}

fn scale(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let (target, current) = matrix_arg(vm, base, argc, "scale")?;
    let [x, y, z] = float_args::<3>(vm, base, argc, 1, "scale")?;
    let mut s = IDENTITY;
    s[0] = x;
    s[5] = y;
    s[10] = z;
    Ok(store(target, &multiply(&current, &s)))
}

enum Axis {
    X,
    Y,
    Z,
}

/// A rotation by an angle in degrees about one axis.
fn rotate(vm: &mut Vm, base: usize, argc: usize, efun: &str, axis: Axis) -> Result<Value, Unwind> {
    let (target, current) = matrix_arg(vm, base, argc, efun)?;
    let [degrees] = float_args::<1>(vm, base, argc, 1, efun)?;
    let (s, c) = (degrees * RADIANS_PER_DEGREE).sin_cos();
    let mut r = IDENTITY;
    let (cos_at, sin_at, neg_sin_at, cos2_at) = match axis {
        Axis::X => (5, 6, 9, 10),
        Axis::Y => (0, 8, 2, 10),
        Axis::Z => (0, 1, 4, 5),
    };
    r[cos_at] = c;
    r[sin_at] = s;
    r[neg_sin_at] = -s;
    r[cos2_at] = c;
    Ok(store(target, &multiply(&current, &r)))
}

type Vec3 = [f64; 3];

fn normalized(v: Vec3) -> Vec3 {
    let m = length(&v);
    if m == 0.0 {
        return v;
    }
    [v[0] / m, v[1] / m, v[2] / m]
}

fn cross(a: Vec3, b: Vec3) -> Vec3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

/// The view matrix from `eye` toward `look`, with `up` as the first guess
/// of the up direction.
fn look_at(eye: Vec3, look: Vec3, up: Vec3) -> Matrix {
    let n = normalized([look[0] - eye[0], look[1] - eye[1], look[2] - eye[2]]);
    let v = normalized(cross(n, up));
    let u = normalized(cross(v, n));
    [
        u[0],
        v[0],
        n[0],
        0.,
        u[1],
        v[1],
        n[1],
        0.,
        u[2],
        v[2],
        n[2],
        0.,
        dot(&u, &eye),
        dot(&v, &eye),
        dot(&n, &eye),
        1.,
    ]
}

/// `lookat_rotate(m, x, y, z)`: turns the matrix, whose translation is the
/// eye, to look at the point.
fn lookat_rotate(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let (target, current) = matrix_arg(vm, base, argc, "lookat_rotate")?;
    let look = float_args::<3>(vm, base, argc, 1, "lookat_rotate")?;
    let eye = [current[12], current[13], current[14]];
    let up = [current[0], current[4], current[8]];
    Ok(store(target, &look_at(eye, look, up)))
}

/// `lookat_rotate2(m, ex, ey, ez, x, y, z)`: the view from the eye point to
/// the look point, with y up.
fn lookat_rotate2(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let (target, _) = matrix_arg(vm, base, argc, "lookat_rotate2")?;
    let [ex, ey, ez, lx, ly, lz] = float_args::<6>(vm, base, argc, 1, "lookat_rotate2")?;
    Ok(store(
        target,
        &look_at([ex, ey, ez], [lx, ly, lz], [0., 1., 0.]),
    ))
}
