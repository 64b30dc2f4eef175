//! Character set names for a connection's encoding, spelled and matched as
//! ICU (which FluffOS uses) spells and matches them, over encoding_rs.

/// A character set the driver can transcode a connection to.
pub struct Charset {
    /// ICU's name for its converter: what `set_encoding` and
    /// `query_encoding` report.
    pub name: &'static str,
    pub encoding: &'static encoding_rs::Encoding,
    /// Other names ICU accepts for it.
    pub aliases: &'static [&'static str],
}

/// What a connection without a transcoder reports, and what naming any
/// spelling of UTF-8 leads to.
pub const DEFAULT: &str = "utf-8";

/// The character sets by ICU's names and aliases. ISO-8859-1 and US-ASCII
/// are carried by windows-1252, their superset, as web browsers do.
static CHARSETS: &[Charset] = &[
    Charset {
        name: "UTF-8",
        encoding: encoding_rs::UTF_8,
        aliases: &[
            "ibm-1208",
            "ibm-1209",
            "ibm-5304",
            "ibm-5305",
            "ibm-13496",
            "ibm-13497",
            "ibm-17592",
            "ibm-17593",
            "windows-65001",
            "cp1208",
            "x-UTF_8J",
            "unicode-1-1-utf-8",
            "unicode-2-0-utf-8",
        ],
    },
    Charset {
        name: "ibm-866_P100-1995",
        encoding: encoding_rs::IBM866,
        aliases: &[
            "ibm-866",
            "IBM866",
            "cp866",
            "866",
            "csIBM866",
            "windows-866",
        ],
    },
    Charset {
        name: "ibm-912_P100-1995",
        encoding: encoding_rs::ISO_8859_2,
        aliases: &[
            "ibm-912",
            "ISO-8859-2",
            "ISO_8859-2:1987",
            "latin2",
            "csISOLatin2",
            "iso-ir-101",
            "l2",
            "8859_2",
            "cp912",
            "912",
            "windows-28592",
        ],
    },
    Charset {
        name: "ibm-913_P100-2000",
        encoding: encoding_rs::ISO_8859_3,
        aliases: &[
            "ibm-913",
            "ISO-8859-3",
            "ISO_8859-3:1988",
            "latin3",
            "csISOLatin3",
            "iso-ir-109",
            "l3",
            "8859_3",
            "cp913",
            "913",
            "windows-28593",
        ],
    },
    Charset {
        name: "ibm-914_P100-1995",
        encoding: encoding_rs::ISO_8859_4,
        aliases: &[
            "ibm-914",
            "ISO-8859-4",
            "latin4",
            "csISOLatin4",
            "iso-ir-110",
            "ISO_8859-4:1988",
            "l4",
            "8859_4",
            "cp914",
            "914",
            "windows-28594",
        ],
    },
    Charset {
        name: "ibm-915_P100-1995",
        encoding: encoding_rs::ISO_8859_5,
        aliases: &[
            "ibm-915",
            "ISO-8859-5",
            "cyrillic",
            "csISOLatinCyrillic",
            "iso-ir-144",
            "ISO_8859-5:1988",
            "8859_5",
            "cp915",
            "915",
            "windows-28595",
        ],
    },
    Charset {
        name: "ibm-1089_P100-1995",
        encoding: encoding_rs::ISO_8859_6,
        aliases: &[
            "ibm-1089",
            "ISO-8859-6",
            "arabic",
            "csISOLatinArabic",
            "iso-ir-127",
            "ISO_8859-6:1987",
            "ECMA-114",
            "ASMO-708",
            "8859_6",
            "cp1089",
            "1089",
            "windows-28596",
            "ISO-8859-6-I",
            "ISO-8859-6-E",
            "x-ISO-8859-6S",
        ],
    },
    Charset {
        name: "ibm-9005_X110-2007",
        encoding: encoding_rs::ISO_8859_7,
        aliases: &[
            "ibm-9005",
            "ISO-8859-7",
            "8859_7",
            "greek",
            "greek8",
            "ELOT_928",
            "ECMA-118",
            "csISOLatinGreek",
            "iso-ir-126",
            "ISO_8859-7:1987",
            "windows-28597",
            "sun_eu_greek",
        ],
    },
    Charset {
        name: "ibm-5012_P100-1999",
        encoding: encoding_rs::ISO_8859_8,
        aliases: &[
            "ibm-5012",
            "ISO-8859-8",
            "hebrew",
            "csISOLatinHebrew",
            "iso-ir-138",
            "ISO_8859-8:1988",
            "ISO-8859-8-I",
            "ISO-8859-8-E",
            "8859_8",
            "windows-28598",
            "hebrew8",
        ],
    },
    Charset {
        name: "iso-8859_10-1998",
        encoding: encoding_rs::ISO_8859_10,
        aliases: &[
            "ISO-8859-10",
            "iso-ir-157",
            "l6",
            "ISO_8859-10:1992",
            "csISOLatin6",
            "latin6",
        ],
    },
    Charset {
        name: "ibm-921_P100-1995",
        encoding: encoding_rs::ISO_8859_13,
        aliases: &[
            "ibm-921",
            "ISO-8859-13",
            "8859_13",
            "windows-28603",
            "cp921",
            "921",
            "x-IBM921",
        ],
    },
    Charset {
        name: "iso-8859_14-1998",
        encoding: encoding_rs::ISO_8859_14,
        aliases: &[
            "ISO-8859-14",
            "iso-ir-199",
            "ISO_8859-14:1998",
            "latin8",
            "iso-celtic",
            "l8",
        ],
    },
    Charset {
        name: "ibm-923_P100-1998",
        encoding: encoding_rs::ISO_8859_15,
        aliases: &[
            "ibm-923",
            "ISO-8859-15",
            "Latin-9",
            "l9",
            "8859_15",
            "latin0",
            "csisolatin0",
            "csisolatin9",
            "iso8859_15_fdis",
            "cp923",
            "923",
            "windows-28605",
        ],
    },
    Charset {
        name: "ibm-878_P100-1996",
        encoding: encoding_rs::KOI8_R,
        aliases: &[
            "ibm-878",
            "KOI8-R",
            "koi8",
            "csKOI8R",
            "windows-20866",
            "cp878",
        ],
    },
    Charset {
        name: "ibm-1168_P100-2002",
        encoding: encoding_rs::KOI8_U,
        aliases: &["ibm-1168", "KOI8-U", "windows-21866"],
    },
    Charset {
        name: "macos-0_2-10.2",
        encoding: encoding_rs::MACINTOSH,
        aliases: &[
            "macintosh",
            "mac",
            "csMacintosh",
            "windows-10000",
            "macroman",
            "x-macroman",
        ],
    },
    Charset {
        name: "windows-874-2000",
        encoding: encoding_rs::WINDOWS_874,
        aliases: &["TIS-620", "windows-874", "MS874", "x-windows-874"],
    },
    Charset {
        name: "ibm-5346_P100-1998",
        encoding: encoding_rs::WINDOWS_1250,
        aliases: &["ibm-5346", "windows-1250", "cp1250"],
    },
    Charset {
        name: "ibm-5347_P100-1998",
        encoding: encoding_rs::WINDOWS_1251,
        aliases: &["ibm-5347", "windows-1251", "cp1251", "ANSI1251"],
    },
    Charset {
        name: "ibm-5348_P100-1997",
        encoding: encoding_rs::WINDOWS_1252,
        aliases: &["ibm-5348", "windows-1252", "cp1252"],
    },
    Charset {
        name: "ibm-5349_P100-1998",
        encoding: encoding_rs::WINDOWS_1253,
        aliases: &["ibm-5349", "windows-1253", "cp1253"],
    },
    Charset {
        name: "ibm-5350_P100-1998",
        encoding: encoding_rs::WINDOWS_1254,
        aliases: &["ibm-5350", "windows-1254", "cp1254"],
    },
    Charset {
        name: "ibm-9447_P100-2002",
        encoding: encoding_rs::WINDOWS_1255,
        aliases: &["ibm-9447", "windows-1255", "cp1255"],
    },
    Charset {
        name: "ibm-9448_X100-2005",
        encoding: encoding_rs::WINDOWS_1256,
        aliases: &["ibm-9448", "windows-1256", "cp1256", "x-windows-1256S"],
    },
    Charset {
        name: "ibm-9449_P100-2002",
        encoding: encoding_rs::WINDOWS_1257,
        aliases: &["ibm-9449", "windows-1257", "cp1257"],
    },
    Charset {
        name: "ibm-5354_P100-1998",
        encoding: encoding_rs::WINDOWS_1258,
        aliases: &["ibm-5354", "windows-1258", "cp1258"],
    },
    Charset {
        name: "macos-7_3-10.2",
        encoding: encoding_rs::X_MAC_CYRILLIC,
        aliases: &[
            "x-mac-cyrillic",
            "windows-10007",
            "mac-cyrillic",
            "maccy",
            "x-MacCyrillic",
            "x-MacUkraine",
        ],
    },
    Charset {
        name: "windows-936-2000",
        encoding: encoding_rs::GBK,
        aliases: &["GBK", "CP936", "MS936", "windows-936"],
    },
    Charset {
        name: "gb18030",
        encoding: encoding_rs::GB18030,
        aliases: &["ibm-1392", "windows-54936", "GB18030"],
    },
    Charset {
        name: "windows-950-2000",
        encoding: encoding_rs::BIG5,
        aliases: &[
            "Big5",
            "csBig5",
            "windows-950",
            "x-windows-950",
            "x-big5",
            "ms950",
        ],
    },
    Charset {
        name: "euc-jp-2007",
        encoding: encoding_rs::EUC_JP,
        aliases: &[
            "EUC-JP",
            "Extended_UNIX_Code_Packed_Format_for_Japanese",
            "csEUCPkdFmtJapanese",
            "X-EUC-JP",
            "eucjis",
            "ujis",
        ],
    },
    Charset {
        name: "ISO_2022,locale=ja,version=0",
        encoding: encoding_rs::ISO_2022_JP,
        aliases: &[
            "ISO-2022-JP",
            "csISO2022JP",
            "x-windows-iso2022jp",
            "x-windows-50220",
        ],
    },
    Charset {
        name: "ibm-943_P15A-2003",
        encoding: encoding_rs::SHIFT_JIS,
        aliases: &[
            "ibm-943",
            "Shift_JIS",
            "MS_Kanji",
            "csShiftJIS",
            "windows-31j",
            "csWindows31J",
            "x-sjis",
            "x-ms-cp932",
            "cp932",
            "windows-932",
            "cp943c",
            "IBM-943C",
            "ms932",
            "pck",
            "sjis",
            "ibm-943_VSUB_VPUA",
            "x-MS932_0213",
            "x-JISAutoDetect",
        ],
    },
    Charset {
        name: "ibm-970_P110_P110-2006_U2",
        encoding: encoding_rs::EUC_KR,
        aliases: &[
            "ibm-970",
            "EUC-KR",
            "KS_C_5601-1987",
            "windows-51949",
            "csEUCKR",
            "ibm-eucKR",
            "KSC_5601",
            "5601",
            "cp970",
            "970",
            "ibm-970_VPUA",
            "x-IBM970",
        ],
    },
    Charset {
        name: "UTF-16BE",
        encoding: encoding_rs::UTF_16BE,
        aliases: &[
            "x-utf-16be",
            "UnicodeBigUnmarked",
            "ibm-1200",
            "ibm-1201",
            "ibm-13488",
            "ibm-13489",
            "ibm-17584",
            "ibm-17585",
            "ibm-21680",
            "ibm-21681",
            "ibm-25776",
            "ibm-25777",
            "ibm-29872",
            "ibm-29873",
            "ibm-61955",
            "ibm-61956",
            "windows-1201",
            "cp1200",
            "cp1201",
            "UTF16_BigEndian",
        ],
    },
    Charset {
        name: "UTF-16LE",
        encoding: encoding_rs::UTF_16LE,
        aliases: &[
            "x-utf-16le",
            "UnicodeLittleUnmarked",
            "ibm-1202",
            "ibm-1203",
            "ibm-13490",
            "ibm-13491",
            "ibm-17586",
            "ibm-17587",
            "ibm-21682",
            "ibm-21683",
            "ibm-25778",
            "ibm-25779",
            "ibm-29874",
            "ibm-29875",
            "UTF16_LittleEndian",
            "windows-1200",
        ],
    },
    Charset {
        name: "ISO-8859-1",
        encoding: encoding_rs::WINDOWS_1252,
        aliases: &[
            "ibm-819",
            "IBM819",
            "cp819",
            "latin1",
            "8859_1",
            "csISOLatin1",
            "iso-ir-100",
            "ISO_8859-1:1987",
            "l1",
            "819",
        ],
    },
    Charset {
        name: "US-ASCII",
        encoding: encoding_rs::WINDOWS_1252,
        aliases: &[
            "ASCII",
            "ANSI_X3.4-1968",
            "ANSI_X3.4-1986",
            "ISO_646.irv:1991",
            "iso_646.irv:1983",
            "ISO646-US",
            "us",
            "csASCII",
            "iso-ir-6",
            "cp367",
            "ascii7",
            "646",
            "windows-20127",
            "ibm-367",
            "IBM367",
        ],
    },
];

/// Lower-cased letters and digits of `name`, without the zeros that lead
/// a number: ICU matches names this way, so `UTF8`, `utf_8` and `Utf-8`
/// all name UTF-8 and `cp0866` names cp866.
fn normalized(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    let mut after_digit = false;
    for (i, &c) in bytes.iter().enumerate() {
        if c == b'0' && !after_digit && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase() as char);
            after_digit = c.is_ascii_digit();
        } else {
            after_digit = false;
        }
    }
    out
}

/// Whether ICU would take `a` and `b` for the same name.
pub fn same_name(a: &str, b: &str) -> bool {
    normalized(a) == normalized(b)
}

/// The character set ICU knows by `name` (its own name or an alias).
pub fn lookup(name: &str) -> Option<&'static Charset> {
    let wanted = normalized(name);
    CHARSETS
        .iter()
        .find(|c| normalized(c.name) == wanted || c.aliases.iter().any(|a| normalized(a) == wanted))
}

/// The name `query_encoding` reports for a connection transcoding to
/// `encoding`.
pub fn name_of(encoding: &'static encoding_rs::Encoding) -> &'static str {
    if encoding == encoding_rs::UTF_8 {
        return DEFAULT;
    }
    CHARSETS
        .iter()
        .find(|c| c.encoding == encoding)
        .map_or(encoding.name(), |c| c.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_as_icu_matches_them() {
        assert!(same_name("UTF8", "utf-8") && same_name("Utf_8", "utf-8"));
        assert!(!same_name("unicode-1-1-utf-8", "utf-8"));
        assert_eq!(lookup("gbk").map(|c| c.name), Some("windows-936-2000"));
        assert_eq!(lookup("CP936").map(|c| c.name), Some("windows-936-2000"));
        assert_eq!(lookup("latin1").map(|c| c.name), Some("ISO-8859-1"));
        assert_eq!(lookup("cp0866").map(|c| c.name), Some("ibm-866_P100-1995"));
        assert_eq!(
            lookup("Shift-JIS").map(|c| c.name),
            Some("ibm-943_P15A-2003")
        );
        assert_eq!(lookup("unicode-1-1-utf-8").map(|c| c.name), Some("UTF-8"));
        assert!(lookup("deadbeef").is_none() && lookup("ISO-8859-16").is_none());
    }
}
