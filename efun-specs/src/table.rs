//! The embedded package specs and the table of efuns a build configuration yields.

use std::collections::{BTreeSet, HashMap};

use crate::error::SpecError;
use crate::model::{Efun, Operator, Origin};
use crate::parser::parse_spec;

/// One package's spec text, compiled into the crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Package {
    pub name: &'static str,
    pub source: &'static str,
    /// Where the package comes from; every efun of an `Extension` package is ours.
    pub origin: Origin,
    /// Part of a default build (FluffOS master on Linux but its `ffi`, plus
    /// all of ours).
    pub default_on: bool,
}

macro_rules! package {
    ($name:literal, $origin:ident, $on:literal) => {
        Package {
            name: $name,
            source: include_str!(concat!("../specs/", $name, ".spec")),
            origin: Origin::$origin,
            default_on: $on,
        }
    };
}

/// Every package, in load order (`core` first so that later files may alias it).
pub const PACKAGES: &[Package] = &[
    package!("core", FluffOs, true),
    package!("ops", FluffOs, true),
    package!("contrib", FluffOs, true),
    package!("develop", FluffOs, true),
    package!("async", FluffOs, true),
    package!("compress", FluffOs, true),
    package!("crypto", FluffOs, true),
    package!("db", FluffOs, true),
    package!("external", FluffOs, true),
    // Off: it hands LPC raw native memory and calls into any shared
    // library, outside what the driver promises LPC can reach. Its spec
    // stays so a config that switches it on still compiles such code.
    package!("ffi", FluffOs, false),
    package!("math", FluffOs, true),
    package!("matrix", FluffOs, true),
    package!("mudlib_stats", FluffOs, true),
    package!("parser", FluffOs, true),
    package!("pcre", FluffOs, true),
    package!("sha1", FluffOs, true),
    package!("sockets", FluffOs, true),
    package!("trim", FluffOs, true),
    package!("uids", FluffOs, true),
    package!("dwlib", FluffOs, false),
    package!("jsbridge", FluffOs, false),
    package!("json", Extension, true),
    package!("http", Extension, true),
    package!("websocket", Extension, true),
    package!("graphql", Extension, true),
    package!("grpc", Extension, true),
    package!("zmqtt", Extension, true),
];

/// Looks a package up by name.
pub fn package(name: &str) -> Option<&'static Package> {
    PACKAGES.iter().find(|p| p.name == name)
}

/// The packages of a default build: what FluffOS master builds on Linux
/// (without `ffi`), plus ours.
pub fn default_packages() -> Vec<&'static str> {
    PACKAGES
        .iter()
        .filter(|p| p.default_on)
        .map(|p| p.name)
        .collect()
}

/// Option symbols a default FluffOS build defines that the specs test.
pub const DEFAULT_SYMBOLS: &[&str] = &["OLD_ED", "PRIVS"];

/// The predefined LPC macro that tells code a package is built in: `__PACKAGE_DB__`.
pub fn package_macro(name: &str) -> String {
    format!("__PACKAGE_{}__", name.to_ascii_uppercase())
}

/// The symbol spec files test to see whether a package is on: `PACKAGE_DB`.
pub fn package_symbol(name: &str) -> String {
    format!("PACKAGE_{}", name.to_ascii_uppercase())
}

/// Which packages to load and which option symbols count as defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecOptions {
    pub packages: Vec<String>,
    /// Option names such as `PRIVS` or `NO_ADD_ACTION`. `PACKAGE_<NAME>` for
    /// every enabled package is added by [`load_all`].
    pub symbols: BTreeSet<String>,
}

impl SpecOptions {
    /// A default build: [`default_packages`] and [`DEFAULT_SYMBOLS`].
    pub fn fluffos_default() -> Self {
        SpecOptions {
            packages: default_packages().into_iter().map(String::from).collect(),
            symbols: DEFAULT_SYMBOLS.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Every package, including those a default build leaves out.
    pub fn all_packages() -> Self {
        SpecOptions {
            packages: PACKAGES.iter().map(|p| p.name.to_string()).collect(),
            ..SpecOptions::fluffos_default()
        }
    }

    /// Switches a package off; its efuns and `__PACKAGE_*__` macro disappear.
    pub fn without_package(mut self, name: &str) -> Self {
        self.packages.retain(|p| p != name);
        self
    }

    pub fn with_symbol(mut self, symbol: &str) -> Self {
        self.symbols.insert(symbol.to_string());
        self
    }

    pub fn without_symbol(mut self, symbol: &str) -> Self {
        self.symbols.remove(symbol);
        self
    }
}

impl Default for SpecOptions {
    fn default() -> Self {
        SpecOptions::fluffos_default()
    }
}

/// All efuns and operators of one configuration, with lookup by name.
#[derive(Debug, Clone, Default)]
pub struct EfunTable {
    efuns: Vec<Efun>,
    index: HashMap<String, usize>,
    operators: Vec<Operator>,
    packages: Vec<String>,
}

impl EfunTable {
    /// The efun or alias declared under `name` (internal names keep their `_`).
    pub fn get(&self, name: &str) -> Option<&Efun> {
        self.index.get(name).map(|&i| &self.efuns[i])
    }

    /// Follows aliases to the efun that runs: `load_object` gives `find_object`.
    pub fn resolve(&self, name: &str) -> Option<&Efun> {
        let mut efun = self.get(name)?;
        // Alias chains are short; the bound only guards against a cycle.
        for _ in 0..8 {
            let Some(target) = &efun.alias_of else {
                return Some(efun);
            };
            efun = self.get(target)?;
        }
        Some(efun)
    }

    /// Every efun in load order, aliases and internal ones included.
    pub fn efuns(&self) -> &[Efun] {
        &self.efuns
    }

    /// The efuns LPC code can call by name (internal `_` names left out).
    pub fn callable(&self) -> impl Iterator<Item = &Efun> {
        self.efuns.iter().filter(|e| !e.internal)
    }

    pub fn in_package<'a>(&'a self, package: &'a str) -> impl Iterator<Item = &'a Efun> + 'a {
        self.efuns.iter().filter(move |e| e.package == package)
    }

    pub fn operators(&self) -> &[Operator] {
        &self.operators
    }

    /// Enabled packages in load order.
    pub fn packages(&self) -> &[String] {
        &self.packages
    }

    /// `__PACKAGE_<NAME>__` for every enabled package.
    pub fn package_macros(&self) -> Vec<String> {
        self.packages.iter().map(|p| package_macro(p)).collect()
    }

    pub fn len(&self) -> usize {
        self.efuns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.efuns.is_empty()
    }

    fn insert(&mut self, efun: Efun) -> Result<(), SpecError> {
        if let Some(&first) = self.index.get(&efun.name) {
            return Err(SpecError::Duplicate {
                file: efun.location.file,
                line: efun.location.line,
                name: efun.name,
                first: self.efuns[first].location.to_string(),
            });
        }
        self.index.insert(efun.name.clone(), self.efuns.len());
        self.efuns.push(efun);
        Ok(())
    }
}

/// Loads the specs of the enabled packages under the given options.
pub fn load_all(options: &SpecOptions) -> Result<EfunTable, SpecError> {
    let mut packages = Vec::new();
    for name in &options.packages {
        let Some(package) = package(name) else {
            return Err(SpecError::UnknownPackage(name.clone()));
        };
        packages.push(package);
    }
    // Load order is the fixed package order, whatever order the caller listed.
    packages.sort_by_key(|p| PACKAGES.iter().position(|q| q.name == p.name));
    packages.dedup_by_key(|p| p.name);

    let mut symbols = options.symbols.clone();
    symbols.extend(packages.iter().map(|p| package_symbol(p.name)));

    let mut table = EfunTable::default();
    for package in &packages {
        let file = format!("{}.spec", package.name);
        let spec = parse_spec(&file, package.name, package.source, &symbols)?;
        for mut efun in spec.efuns {
            if package.origin == Origin::Extension {
                efun.origin = Origin::Extension;
            }
            table.insert(efun)?;
        }
        table.operators.extend(spec.operators);
        table.packages.push(package.name.to_string());
    }
    for efun in &table.efuns {
        let Some(target) = &efun.alias_of else {
            continue;
        };
        if !table.index.contains_key(target) {
            return Err(SpecError::UnknownAliasTarget {
                file: efun.location.file.clone(),
                line: efun.location.line,
                name: efun.name.clone(),
                target: target.clone(),
            });
        }
    }
    Ok(table)
}
