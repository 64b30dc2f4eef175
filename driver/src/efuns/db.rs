//! The db package: SQL databases through sqlx, with the FluffOS efuns
//! `db_connect`, `db_exec`, `db_fetch`, `db_commit`, `db_rollback`,
//! `db_close` and `db_status`. SQLite is embedded (its files live in the
//! mudlib); PostgreSQL and MySQL/MariaDB are servers reached over the
//! network or a unix socket. Master `valid_database` guards every call and
//! supplies passwords.

use std::cell::RefCell;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use futures_lite::StreamExt;
use rustc_hash::FxHashMap;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlRow};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteRow};
use sqlx::{
    AssertSqlSafe, Column, ConnectOptions, Connection as _, Database, Decode, Either, Executor,
    Row, SqlSafeStr, Statement, TypeInfo, ValueRef,
};

use super::{arg, bad_arg, int_arg, str_arg};
// The db efuns are synchronous, as in FluffOS: their futures run to
// completion on the VM thread. Only `async_db_exec` runs one elsewhere.
use crate::runtime::block_on;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

/// The `type` argument of `db_connect` for MySQL and MariaDB: `__USE_MYSQL__`.
/// The numbers must match the macros the compiler predefines.
pub const USE_MYSQL: i64 = 1;
/// `__USE_SQLITE3__`.
pub const USE_SQLITE3: i64 = 2;
/// `__USE_POSTGRES__`.
pub const USE_POSTGRES: i64 = 3;
/// `__DEFAULT_DB__`: the embedded database needs no server.
pub const DEFAULT_DB: i64 = USE_SQLITE3;

/// How long connecting to a server may take before `db_connect` gives up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("db_connect", db_connect);
    m.insert("db_exec", db_exec);
    m.insert("db_fetch", db_fetch);
    m.insert("db_commit", db_commit);
    m.insert("db_rollback", db_rollback);
    m.insert("db_close", db_close);
    m.insert("db_status", db_status);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

impl Backend {
    fn from_type(kind: i64) -> Option<Backend> {
        match kind {
            0 => Backend::from_type(DEFAULT_DB),
            USE_MYSQL => Some(Backend::MySql),
            USE_SQLITE3 => Some(Backend::Sqlite),
            USE_POSTGRES => Some(Backend::Postgres),
            _ => None,
        }
    }

    /// The name `db_status` shows, as FluffOS spells it.
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite3",
            Backend::Postgres => "Postgres",
            Backend::MySql => "MySQL",
        }
    }
}

enum Connection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
    MySql(MySqlConnection),
}

/// One column value of a fetched row, kept apart from LPC values so that
/// each `db_fetch` hands out fresh arrays.
#[derive(Debug, Clone)]
enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Cell {
    fn to_value(&self) -> Value {
        match self {
            Cell::Null => Value::Undefined,
            Cell::Int(n) => Value::Int(*n),
            Cell::Float(f) => Value::float(*f),
            Cell::Text(s) => Value::str(s.clone()),
            Cell::Blob(b) => Value::Buffer(Rc::new(RefCell::new(b.clone()))),
        }
    }
}

/// The rows of the last `db_exec` on a handle.
struct ResultSet {
    sql: String,
    /// Column names; for a result without rows they are looked up when
    /// `db_fetch(handle, 0)` asks.
    columns: Option<Vec<String>>,
    rows: Vec<Vec<Cell>>,
}

struct Handle {
    backend: Backend,
    connection: Connection,
    result: Option<ResultSet>,
}

thread_local! {
    /// Open connections by handle number minus one; closed slots are reused
    /// lowest first, as FluffOS does. Only the VM thread touches them.
    static HANDLES: RefCell<Vec<Option<Handle>>> = const { RefCell::new(Vec::new()) };
    /// Handle numbers whose connection is away running an `async_db_exec`:
    /// their slots are empty but not free.
    static BUSY: RefCell<Vec<i64>> = const { RefCell::new(Vec::new()) };
}

fn busy(number: i64) -> bool {
    BUSY.with(|busy| busy.borrow().contains(&number))
}

/// Takes the open connection `number` out of the table while it is used.
fn take_handle(number: i64) -> Option<Handle> {
    let index = usize::try_from(number).ok()?.checked_sub(1)?;
    HANDLES.with(|handles| handles.borrow_mut().get_mut(index)?.take())
}

/// Puts a connection back in the slot it was taken from.
fn put_handle(number: i64, handle: Handle) {
    let Some(index) = usize::try_from(number).ok().and_then(|n| n.checked_sub(1)) else {
        return;
    };
    HANDLES.with(|handles| {
        if let Some(slot) = handles.borrow_mut().get_mut(index) {
            *slot = Some(handle);
        }
    });
}

/// Stores a new connection in the lowest free slot; its handle number.
fn add_handle(handle: Handle) -> i64 {
    HANDLES.with(|handles| {
        let mut handles = handles.borrow_mut();
        let free = |(i, slot): &(usize, &Option<Handle>)| slot.is_none() && !busy(*i as i64 + 1);
        let index = match handles.iter().enumerate().find(free).map(|(i, _)| i) {
            Some(free) => free,
            None => {
                handles.push(None);
                handles.len() - 1
            }
        };
        handles[index] = Some(handle);
        index as i64 + 1
    })
}

/// Asks master `valid_database(caller, action, info)` whether the call may
/// go on. `Some(password)` when the master returned a string. A master
/// without the apply allows everything, as in FluffOS.
fn check_access(vm: &mut Vm, action: &str, info: Vec<Value>) -> Result<Option<String>, Unwind> {
    let Some(master) = vm.master else {
        return Ok(None);
    };
    let caller = vm.this_object().map_or(Value::Int(0), Value::Object);
    let args = vec![caller, Value::str(action), Value::array(info)];
    match vm.apply(master, "valid_database", args, true)? {
        None => Ok(None),
        Some(Value::Str(password)) => Ok(Some(password.text.to_string())),
        Some(Value::Int(n)) if n != 0 => Ok(None),
        Some(_) => Err(error("Database security violation attempted")),
    }
}

fn db_connect(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let host = str_arg(vm, base, argc, 0, "db_connect")?;
    let database = str_arg(vm, base, argc, 1, "db_connect")?;
    let user = match arg(vm, base, argc, 2) {
        Value::Str(s) => s.text.to_string(),
        Value::Undefined => String::new(),
        other => return Err(bad_arg("db_connect", 2, &other)),
    };
    let kind = match arg(vm, base, argc, 3) {
        Value::Undefined => DEFAULT_DB,
        Value::Int(n) => n,
        other => return Err(bad_arg("db_connect", 3, &other)),
    };
    let Some(backend) = Backend::from_type(kind) else {
        return Err(error(format!(
            "db_connect(): unknown database type {kind} (use __USE_SQLITE3__, __USE_POSTGRES__ or __USE_MYSQL__)"
        )));
    };
    let host_info = if host.text.is_empty() {
        Value::Int(0)
    } else {
        Value::Str(host.clone())
    };
    let info = vec![
        Value::Str(database.clone()),
        host_info,
        Value::str(user.clone()),
    ];
    let password = check_access(vm, "connect", info)?;
    let target = Target {
        host: &host.text,
        database: &database.text,
        user: &user,
        password: password.as_deref(),
    };
    let connected = match backend {
        Backend::Sqlite => match sqlite_file(vm, &database.text)? {
            Ok(file) => connect_sqlite(file),
            Err(message) => Err(message),
        },
        Backend::Postgres => connect_postgres(&target),
        Backend::MySql => connect_mysql(&target),
    };
    match connected {
        Ok(connection) => Ok(Value::Int(add_handle(Handle {
            backend,
            connection,
            result: None,
        }))),
        // FluffOS returns the backend's message when connecting fails.
        Err(message) => Ok(Value::str(message)),
    }
}

/// Where a server connection goes, from the `db_connect` arguments.
struct Target<'a> {
    host: &'a str,
    database: &'a str,
    user: &'a str,
    password: Option<&'a str>,
}

/// A server address: a unix socket when the host is an absolute path
/// (PostgreSQL: the socket directory, and `:port` when the server's port is
/// not the default; MySQL: the socket file), else `name`, `name:port` or
/// `[v6-address]:port`.
enum Address<'a> {
    Default,
    Socket(&'a Path, Option<u16>),
    Tcp(&'a str, Option<u16>),
}

fn parse_host(host: &str) -> Address<'_> {
    if host.is_empty() {
        return Address::Default;
    }
    if host.starts_with('/') {
        // PostgreSQL names its socket file after the port, so a port may follow.
        return match host.rsplit_once(':') {
            Some((path, port)) => match port.parse() {
                Ok(port) => Address::Socket(Path::new(path), Some(port)),
                Err(_) => Address::Socket(Path::new(host), None),
            },
            None => Address::Socket(Path::new(host), None),
        };
    }
    if let Some(rest) = host.strip_prefix('[')
        && let Some((name, tail)) = rest.split_once(']')
    {
        let port = tail.strip_prefix(':').and_then(|p| p.parse().ok());
        return Address::Tcp(name, port);
    }
    match host.rsplit_once(':') {
        // One colon: a port follows. More: a bare IPv6 address.
        Some((name, port)) if !name.contains(':') => match port.parse() {
            Ok(port) => Address::Tcp(name, Some(port)),
            Err(_) => Address::Tcp(host, None),
        },
        _ => Address::Tcp(host, None),
    }
}

/// The host file of SQLite database `path` (`None` for ":memory:"), jailed
/// to the mudlib directory, or why it cannot be used; master
/// `valid_write(path, master, "sqlite3_connect")` may refuse it.
fn sqlite_file(vm: &mut Vm, path: &str) -> Result<Result<Option<PathBuf>, String>, Unwind> {
    if path == ":memory:" {
        return Ok(Ok(None));
    }
    if path.contains('\0') {
        return Ok(Err("invalid database file name".to_string()));
    }
    let normalized = lpcc::source::normalize_path(path);
    if normalized == "/" {
        return Ok(Err("the database file name is empty".to_string()));
    }
    if let Some(master) = vm.master {
        let args = vec![
            Value::str(normalized.clone()),
            Value::Object(master),
            Value::str("sqlite3_connect"),
        ];
        if let Some(answer) = vm.apply(master, "valid_write", args, true)?
            && !answer.truthy()
        {
            return Ok(Err(format!("permission denied: cannot write {normalized}")));
        }
    }
    let file = vm.compiler.provider.host_path(&normalized);
    let inside = |host: &Path| -> bool {
        match (
            host.canonicalize(),
            vm.compiler.provider.root.canonicalize(),
        ) {
            (Ok(host), Ok(root)) => host.starts_with(root),
            _ => false,
        }
    };
    // A symbolic link must not lead the file out of the mudlib.
    let parent_inside = file.parent().is_some_and(inside);
    if !parent_inside || (file.exists() && !inside(&file)) {
        return Ok(Err(format!(
            "cannot open {normalized}: no such directory in the mudlib"
        )));
    }
    Ok(Ok(Some(file)))
}

fn connect_sqlite(file: Option<PathBuf>) -> Result<Connection, String> {
    let options = match file {
        Some(file) => SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true),
        None => SqliteConnectOptions::new().in_memory(true),
    }
    // SQLite leaves foreign keys unenforced unless asked; mudlibs expect that.
    .foreign_keys(false);
    block_on(options.connect())
        .map(Connection::Sqlite)
        .map_err(|e| sql_message(&e))
}

fn connect_postgres(target: &Target) -> Result<Connection, String> {
    let mut options = PgConnectOptions::new_without_pgpass().database(target.database);
    match parse_host(target.host) {
        Address::Default => {}
        Address::Socket(dir, port) => {
            options = options.socket(dir);
            if let Some(port) = port {
                options = options.port(port);
            }
        }
        Address::Tcp(name, port) => {
            options = options.host(name);
            if let Some(port) = port {
                options = options.port(port);
            }
        }
    }
    if !target.user.is_empty() {
        options = options.username(target.user);
    }
    if let Some(password) = target.password {
        options = options.password(password);
    }
    with_timeout(options.connect()).map(Connection::Postgres)
}

fn connect_mysql(target: &Target) -> Result<Connection, String> {
    let mut options = MySqlConnectOptions::new().database(target.database);
    match parse_host(target.host) {
        Address::Default => {}
        Address::Socket(file, _) => options = options.socket(file),
        Address::Tcp(name, port) => {
            options = options.host(name);
            if let Some(port) = port {
                options = options.port(port);
            }
        }
    }
    if !target.user.is_empty() {
        options = options.username(target.user);
    }
    if let Some(password) = target.password {
        options = options.password(password);
    }
    with_timeout(options.connect()).map(Connection::MySql)
}

/// Connects within [`CONNECT_TIMEOUT`]: an unreachable server must not
/// stall the driver for minutes.
fn with_timeout<T>(connect: impl Future<Output = Result<T, sqlx::Error>>) -> Result<T, String> {
    match block_on(crate::runtime::timeout(CONNECT_TIMEOUT, connect)) {
        Some(Ok(connection)) => Ok(connection),
        Some(Err(e)) => Err(sql_message(&e)),
        None => Err(format!(
            "timed out connecting after {} seconds",
            CONNECT_TIMEOUT.as_secs()
        )),
    }
}

/// The text of an error as the database put it, like FluffOS returns.
fn sql_message(e: &sqlx::Error) -> String {
    match e.as_database_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    }
}

/// Runs `sql` (one or more statements) and keeps the rows of the last
/// statement that returned any.
async fn run_sql<'c, DB, E>(
    executor: E,
    sql: &str,
    convert: fn(&DB::Row) -> Result<Vec<Cell>, String>,
) -> Result<ResultSet, String>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
{
    let mut stream = sqlx::raw_sql(AssertSqlSafe(sql.to_string())).fetch_many(executor);
    let mut rows = Vec::new();
    let mut columns = None;
    let mut statement_ended = false;
    while let Some(item) = stream.next().await {
        match item.map_err(|e| sql_message(&e))? {
            Either::Left(_) => statement_ended = true,
            Either::Right(row) => {
                if statement_ended {
                    rows.clear();
                    columns = None;
                    statement_ended = false;
                }
                if columns.is_none() {
                    columns = Some(column_names::<DB>(row.columns()));
                }
                rows.push(convert(&row)?);
            }
        }
    }
    Ok(ResultSet {
        sql: sql.to_string(),
        columns,
        rows,
    })
}

fn column_names<DB: Database>(columns: &[DB::Column]) -> Vec<String> {
    columns.iter().map(|c| c.name().to_string()).collect()
}

/// The column names of `sql`, from preparing it without running it.
async fn prepared_columns<'c, DB, E>(executor: E, sql: &str) -> Option<Vec<String>>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
{
    let statement = executor
        .prepare(AssertSqlSafe(sql.to_string()).into_sql_str())
        .await
        .ok()?;
    Some(column_names::<DB>(statement.columns()))
}

/// Column `i` of `row` as a `T`, whatever type the column declares.
fn decode<'r, R, T>(row: &'r R, i: usize) -> Result<T, String>
where
    R: Row,
    T: Decode<'r, R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    row.try_get_unchecked::<T, usize>(i)
        .map_err(|e| sql_message(&e))
}

/// An integer column's text; whole numbers past the int range become floats.
fn number_text(text: &str) -> Result<Cell, String> {
    let text = text.trim();
    if let Ok(n) = text.parse::<i64>() {
        return Ok(Cell::Int(n));
    }
    text.parse::<f64>()
        .map(Cell::Float)
        .map_err(|_| format!("cannot read the number {text:?}"))
}

/// A NUMERIC or DECIMAL value: an int when whole, else a float.
fn decimal_text(text: &str) -> Result<Cell, String> {
    let text = text.trim();
    let whole = match text.split_once('.') {
        Some((int, fraction)) if fraction.bytes().all(|b| b == b'0') => int,
        Some(_) => return number_text(text),
        None => text,
    };
    match whole.parse::<i64>() {
        Ok(n) => Ok(Cell::Int(n)),
        Err(_) => number_text(text),
    }
}

/// The cells of `row`: NULL becomes [`Cell::Null`], and every other value
/// is read by `cell` from its column index and the type name the database
/// gives the value.
fn decode_row<R: Row>(
    row: &R,
    cell: fn(&R, usize, &str) -> Result<Cell, String>,
) -> Result<Vec<Cell>, String>
where
    usize: sqlx::ColumnIndex<R>,
{
    (0..row.len())
        .map(|i| {
            let kind = {
                let raw = row.try_get_raw(i).map_err(|e| sql_message(&e))?;
                if raw.is_null() {
                    return Ok(Cell::Null);
                }
                raw.type_info().name().to_string()
            };
            cell(row, i, &kind)
        })
        .collect()
}

fn sqlite_row(row: &SqliteRow) -> Result<Vec<Cell>, String> {
    // A value's own storage class decides, whatever the column says.
    decode_row(row, |row, i, kind| {
        Ok(match kind {
            "INTEGER" => Cell::Int(decode::<_, i64>(row, i)?),
            "REAL" => Cell::Float(decode::<_, f64>(row, i)?),
            "BLOB" => Cell::Blob(decode::<_, Vec<u8>>(row, i)?),
            _ => Cell::Text(decode::<_, String>(row, i)?),
        })
    })
}

fn postgres_row(row: &PgRow) -> Result<Vec<Cell>, String> {
    decode_row(row, |row, i, kind| {
        Ok(match kind {
            "INT2" => Cell::Int(decode::<_, i16>(row, i)?.into()),
            "INT4" => Cell::Int(decode::<_, i32>(row, i)?.into()),
            "INT8" => Cell::Int(decode::<_, i64>(row, i)?),
            "OID" => number_text(&decode::<_, String>(row, i)?)?,
            "FLOAT4" => Cell::Float(decode::<_, f32>(row, i)?.into()),
            "FLOAT8" => Cell::Float(decode::<_, f64>(row, i)?),
            "NUMERIC" => decimal_text(&decode::<_, String>(row, i)?)?,
            "BOOL" => Cell::Int(decode::<_, bool>(row, i)?.into()),
            "BYTEA" => Cell::Blob(decode::<_, Vec<u8>>(row, i)?),
            // Dates, times, JSON and the rest come as the server writes them.
            _ => Cell::Text(decode::<_, String>(row, i)?),
        })
    })
}

fn mysql_row(row: &MySqlRow) -> Result<Vec<Cell>, String> {
    decode_row(row, |row, i, kind| {
        // Text-protocol results: every value arrives as its text.
        let bytes: &[u8] = decode(row, i)?;
        let text = || String::from_utf8_lossy(bytes);
        Ok(match kind {
            "BOOLEAN" | "TINYINT" | "SMALLINT" | "MEDIUMINT" | "INT" | "BIGINT" | "YEAR"
            | "TINYINT UNSIGNED" | "SMALLINT UNSIGNED" | "MEDIUMINT UNSIGNED" | "INT UNSIGNED"
            | "BIGINT UNSIGNED" => number_text(&text())?,
            "FLOAT" | "DOUBLE" => Cell::Float(
                text()
                    .trim()
                    .parse()
                    .map_err(|_| format!("cannot read the number {:?}", text()))?,
            ),
            "DECIMAL" => decimal_text(&text())?,
            "BINARY" | "VARBINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" | "BIT"
            | "GEOMETRY" => Cell::Blob(bytes.to_vec()),
            _ => Cell::Text(text().into_owned()),
        })
    })
}

/// Runs `sql` on whichever database `connection` reaches.
async fn run_on(connection: &mut Connection, sql: &str) -> Result<ResultSet, String> {
    crate::metrics::DB_QUERIES.bump();
    match connection {
        Connection::Sqlite(c) => run_sql(&mut *c, sql, sqlite_row).await,
        Connection::Postgres(c) => run_sql(&mut *c, sql, postgres_row).await,
        Connection::MySql(c) => run_sql(&mut *c, sql, mysql_row).await,
    }
}

fn execute(connection: &mut Connection, sql: &str) -> Result<ResultSet, String> {
    block_on(run_on(connection, sql))
}

/// A connection by number for `action`, or the FluffOS error for a bad handle.
fn open_handle(
    vm: &Vm,
    base: usize,
    argc: usize,
    efun: &str,
    what: &str,
) -> Result<(i64, Handle), Unwind> {
    let number = int_arg(vm, base, argc, 0, efun)?;
    match take_handle(number) {
        Some(handle) => Ok((number, handle)),
        None if busy(number) => Err(error(format!(
            "Database handle {number} is busy with an async_db_exec()"
        ))),
        None => Err(error(format!(
            "Attempt to {what} an invalid database handle"
        ))),
    }
}

fn db_exec(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let sql = str_arg(vm, base, argc, 1, "db_exec")?;
    check_access(vm, "exec", vec![Value::Str(sql.clone())])?;
    let (number, mut handle) = open_handle(vm, base, argc, "db_exec", "exec on")?;
    handle.result = None;
    let outcome = execute(&mut handle.connection, &sql.text);
    let value = match outcome {
        Ok(result) => {
            let rows = result.rows.len() as i64;
            handle.result = Some(result);
            Value::Int(rows)
        }
        Err(message) => Value::str(message),
    };
    put_handle(number, handle);
    Ok(value)
}

fn db_fetch(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let row = int_arg(vm, base, argc, 1, "db_fetch")?;
    check_access(vm, "fetch", Vec::new())?;
    let (number, mut handle) = open_handle(vm, base, argc, "db_fetch", "fetch from")?;
    let value = fetch_row(&mut handle, row);
    put_handle(number, handle);
    Ok(value)
}

/// Row `row` of the last result (counting from 1), or the column names for
/// row 0; an empty array when there is no such row.
fn fetch_row(handle: &mut Handle, row: i64) -> Value {
    let Some(result) = &mut handle.result else {
        return Value::array(Vec::new());
    };
    if row == 0 {
        if result.columns.is_none() {
            let sql = result.sql.as_str();
            result.columns = match &mut handle.connection {
                Connection::Sqlite(c) => block_on(prepared_columns(&mut *c, sql)),
                Connection::Postgres(c) => block_on(prepared_columns(&mut *c, sql)),
                Connection::MySql(c) => block_on(prepared_columns(&mut *c, sql)),
            };
        }
        let names = result.columns.as_deref().unwrap_or_default();
        return Value::array(names.iter().map(|n| Value::str(n.clone())).collect());
    }
    let cells = usize::try_from(row - 1)
        .ok()
        .and_then(|i| result.rows.get(i));
    match cells {
        Some(cells) => Value::array(cells.iter().map(Cell::to_value).collect()),
        None => Value::array(Vec::new()),
    }
}

/// Runs a transaction statement; 1 when the database accepted it.
fn finish_transaction(vm: &mut Vm, base: usize, argc: usize, sql: &str) -> Result<Value, Unwind> {
    let (efun, action) = if sql == "COMMIT" {
        ("db_commit", "commit")
    } else {
        ("db_rollback", "rollback")
    };
    check_access(vm, action, Vec::new())?;
    let (number, mut handle) = open_handle(vm, base, argc, efun, action)?;
    let done = match &mut handle.connection {
        Connection::Sqlite(c) => {
            block_on(sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *c)).is_ok()
        }
        Connection::Postgres(c) => {
            block_on(sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *c)).is_ok()
        }
        Connection::MySql(c) => {
            block_on(sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *c)).is_ok()
        }
    };
    if done && action == "rollback" {
        // Rows fetched inside the undone transaction are gone with it.
        handle.result = None;
    }
    put_handle(number, handle);
    Ok(Value::Int(done.into()))
}

fn db_commit(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    finish_transaction(vm, base, argc, "COMMIT")
}

fn db_rollback(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    finish_transaction(vm, base, argc, "ROLLBACK")
}

fn db_close(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    check_access(vm, "close", Vec::new())?;
    // The slot stays free: the handle is not put back.
    let (_, handle) = open_handle(vm, base, argc, "db_close", "close")?;
    let closed = match handle.connection {
        Connection::Sqlite(c) => block_on(c.close()),
        Connection::Postgres(c) => block_on(c.close()),
        Connection::MySql(c) => block_on(c.close()),
    };
    Ok(Value::Int(closed.is_ok().into()))
}

fn db_status(_: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let text = HANDLES.with(|handles| {
        let mut text = String::new();
        for (i, handle) in handles.borrow().iter().enumerate() {
            if let Some(handle) = handle {
                text.push_str(&format!("Handle: {} ({})\n", i + 1, handle.backend.name()));
            }
        }
        text
    });
    Ok(Value::str(text))
}

/// A statement of `async_db_exec` with the connection it runs on, taken
/// from the handle table until [`Finished::finish`] puts it back.
pub struct Background {
    number: i64,
    handle: Handle,
    sql: String,
}

/// What a [`Background`] statement did, on its way back to the VM thread.
pub struct Finished {
    number: i64,
    handle: Handle,
    outcome: Result<ResultSet, String>,
}

/// Checks and takes handle `number` for `async_db_exec`, on the VM thread:
/// master `valid_database` is asked as for `db_exec`.
pub fn start_background(vm: &mut Vm, number: i64, sql: &str) -> Result<Background, Unwind> {
    check_access(vm, "exec", vec![Value::str(sql)])?;
    let handle = match take_handle(number) {
        Some(handle) => handle,
        None if busy(number) => {
            return Err(error(format!(
                "Database handle {number} is busy with an async_db_exec()"
            )));
        }
        None => return Err(error("Attempt to exec on an invalid database handle")),
    };
    BUSY.with(|busy| busy.borrow_mut().push(number));
    Ok(Background {
        number,
        handle,
        sql: sql.to_string(),
    })
}

impl Background {
    /// Runs the statement; off the VM thread.
    pub async fn run(mut self) -> Finished {
        let sql = self.sql.as_str();
        let outcome = run_on(&mut self.handle.connection, sql).await;
        Finished {
            number: self.number,
            handle: self.handle,
            outcome,
        }
    }
}

impl Finished {
    /// Puts the connection back with its result, on the VM thread; what
    /// `db_exec` would have returned.
    pub fn finish(self) -> Value {
        let Finished {
            number,
            mut handle,
            outcome,
        } = self;
        BUSY.with(|busy| busy.borrow_mut().retain(|&n| n != number));
        let value = match outcome {
            Ok(result) => {
                let rows = result.rows.len() as i64;
                handle.result = Some(result);
                Value::Int(rows)
            }
            Err(message) => {
                handle.result = None;
                Value::str(message)
            }
        };
        put_handle(number, handle);
        value
    }
}
