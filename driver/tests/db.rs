//! Runs the db efuns against real database servers. Each server test starts
//! its own PostgreSQL or MariaDB in a temporary directory (a free port on
//! 127.0.0.1, the unix socket inside that directory), runs an LPC test file
//! of `tests/vm/db` in the driver with the connection details written into
//! the mudlib copy as `/db/connection.h`, and stops the server when done.
//! Missing server programs fail the test, naming the package to install.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{copy_dir, free_port};

const USER: &str = "lpc";
const PASSWORD: &str = "lpc-test-secret";
const DATABASE: &str = "mudtest";
/// How long a server may take to start.
const STARTUP: Duration = Duration::from_secs(90);

/// Where the LPC test finds its server.
struct Connection {
    /// `127.0.0.1:PORT`.
    host: String,
    /// The unix socket: its directory for PostgreSQL, the file for MySQL.
    socket: String,
}

/// The driver's output for the LPC test `/db/NAME.c`, run with the
/// database master `/db/master.c`.
fn run_db_test(name: &str, connection: &Connection) -> String {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vm");
    let dir = tempfile::tempdir().expect("temporary directory");
    copy_dir(&source, dir.path());
    let port = connection.host.rsplit(':').next().unwrap_or_default();
    let header = format!(
        "#define DB_HOST {:?}\n#define DB_PORT {port:?}\n#define DB_SOCKET {:?}\n\
         #define DB_NAME {DATABASE:?}\n#define DB_USER {USER:?}\n#define DB_PASSWORD {PASSWORD:?}\n",
        connection.host, connection.socket
    );
    std::fs::write(dir.path().join("db/connection.h"), header).expect("write connection.h");
    let config = std::fs::read_to_string(dir.path().join("config.test")).expect("test config");
    let config = config.replace("master file : /master", "master file : /db/master");
    assert!(
        config.contains("/db/master"),
        "the test config names its master"
    );
    std::fs::write(dir.path().join("config.db"), config).expect("write config");
    let output = Command::new(env!("CARGO_BIN_EXE_driver"))
        .arg("config.db")
        .arg(format!("-fdb/{name}"))
        .current_dir(dir.path())
        .output()
        .expect("driver runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The numeric result of `id ARGS`.
fn id(args: &[&str]) -> Option<u32> {
    let output = Command::new("id").args(args).output().ok()?;
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}

fn is_root() -> bool {
    id(&["-u"]) == Some(0)
}

/// The first of `names` found in `dirs` or on the PATH.
fn find_program(names: &[&str], dirs: &[PathBuf]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut all: Vec<PathBuf> = dirs.to_vec();
    all.extend(std::env::split_paths(&path));
    names
        .iter()
        .flat_map(|name| all.iter().map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// A database server process, stopped when dropped.
struct Server {
    child: Child,
    log: PathBuf,
    // Removed after the server has stopped: fields drop in order.
    _dir: tempfile::TempDir,
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Panics with the server's log when it has exited.
    fn check_running(&mut self, what: &str) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("{what} exited ({status}) while starting:\n{}", self.log());
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A fast shutdown first, so the server removes its socket and files.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `program` as the user `owner` when given (servers refuse to run as root).
fn command_as(owner: Option<&str>, program: &Path) -> Command {
    match owner {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.arg("-u").arg(user).arg("--").arg(program);
            command
        }
        None => Command::new(program),
    }
}

fn log_file(path: &Path) -> std::fs::File {
    std::fs::File::create(path).expect("create server log")
}

fn postgres_bin_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    // The newest version first.
    dirs.sort_by_key(|dir| {
        std::cmp::Reverse(
            dir.parent()
                .and_then(|v| v.file_name())
                .and_then(|v| v.to_str())
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0),
        )
    });
    dirs
}

fn start_postgres() -> (Server, Connection) {
    const MISSING: &str = "PostgreSQL server programs (initdb, postgres, pg_isready, createdb) \
                           were not found: install the Debian package `postgresql`";
    let dirs = postgres_bin_dirs();
    let initdb = find_program(&["initdb"], &dirs).expect(MISSING);
    let bin = initdb
        .parent()
        .expect("initdb has a directory")
        .to_path_buf();
    let postgres = bin.join("postgres");
    let pg_isready = bin.join("pg_isready");
    let createdb = bin.join("createdb");
    assert!(
        postgres.is_file() && pg_isready.is_file() && createdb.is_file(),
        "{MISSING}"
    );

    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let socket = dir.path().join("socket");
    std::fs::create_dir(&socket).expect("socket directory");
    let pwfile = dir.path().join("password");
    std::fs::write(&pwfile, PASSWORD).expect("password file");
    // PostgreSQL refuses to run as root: then it runs as the `postgres` user.
    let owner = is_root().then_some("postgres");
    if let Some(user) = owner {
        let (Some(uid), Some(gid)) = (id(&["-u", user]), id(&["-g", user])) else {
            panic!(
                "running as root needs the `postgres` user: install the Debian package `postgresql`"
            );
        };
        for path in [dir.path(), &socket, &pwfile] {
            std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("hand the directory over");
        }
    }

    let init = command_as(owner, &initdb)
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            USER,
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
        ])
        .arg(format!("--pwfile={}", pwfile.display()))
        .output()
        .expect("initdb runs");
    assert!(init.status.success(), "initdb failed:\n{}", text(&init));

    let port = free_port();
    let log = dir.path().join("server.log");
    let child = command_as(owner, &postgres)
        .arg("-D")
        .arg(&data)
        .arg("-p")
        .arg(port.to_string())
        .arg("-k")
        .arg(&socket)
        .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file(&log))
        .spawn()
        .expect("postgres starts");
    let mut server = Server {
        child,
        log,
        _dir: dir,
    };

    let deadline = Instant::now() + STARTUP;
    loop {
        server.check_running("postgres");
        let ready = Command::new(&pg_isready)
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if ready {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "postgres did not start:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let created = Command::new(&createdb)
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            USER,
            DATABASE,
        ])
        .env("PGPASSWORD", PASSWORD)
        .output()
        .expect("createdb runs");
    assert!(
        created.status.success(),
        "createdb failed:\n{}",
        text(&created)
    );
    let connection = Connection {
        host: format!("127.0.0.1:{port}"),
        socket: socket.display().to_string(),
    };
    (server, connection)
}

fn start_mariadb() -> (Server, Connection) {
    const MISSING: &str = "MariaDB server programs (mariadb-install-db, mariadbd, mariadb) \
                           were not found: install the Debian package `mariadb-server`";
    let sbin = [PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")];
    let install = find_program(&["mariadb-install-db", "mysql_install_db"], &sbin).expect(MISSING);
    let daemon = find_program(&["mariadbd", "mysqld"], &sbin).expect(MISSING);
    let client = find_program(&["mariadb", "mysql"], &sbin).expect(MISSING);

    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let socket = dir.path().join("mysql.sock");
    let as_root = is_root();
    let mut init = Command::new(&install);
    init.arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .args(["--auth-root-authentication-method=normal", "--skip-test-db"]);
    if as_root {
        init.arg("--user=root");
    }
    let init = init.output().expect("mariadb-install-db runs");
    assert!(
        init.status.success(),
        "mariadb-install-db failed:\n{}",
        text(&init)
    );

    let port = free_port();
    let log = dir.path().join("server.log");
    let mut start = Command::new(&daemon);
    start
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--socket={}", socket.display()))
        .arg(format!("--port={port}"))
        .arg(format!(
            "--pid-file={}",
            dir.path().join("server.pid").display()
        ))
        .arg(format!("--log-error={}", log.display()))
        .args([
            "--bind-address=127.0.0.1",
            "--skip-name-resolve",
            "--skip-log-bin",
        ]);
    if as_root {
        start.arg("--user=root");
    }
    let child = start
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mariadbd starts");
    let mut server = Server {
        child,
        log,
        _dir: dir,
    };

    let root_sql = |sql: &str| {
        Command::new(&client)
            .arg("--no-defaults")
            .arg(format!("--socket={}", socket.display()))
            .args(["-u", "root", "-e", sql])
            .output()
            .expect("the mariadb client runs")
    };
    let deadline = Instant::now() + STARTUP;
    loop {
        server.check_running("mariadbd");
        if root_sql("SELECT 1").status.success() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "mariadbd did not start:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let setup = format!(
        "CREATE DATABASE {DATABASE}; \
         CREATE USER '{USER}'@'%' IDENTIFIED BY '{PASSWORD}'; \
         CREATE USER '{USER}'@'localhost' IDENTIFIED BY '{PASSWORD}'; \
         GRANT ALL ON {DATABASE}.* TO '{USER}'@'%'; \
         GRANT ALL ON {DATABASE}.* TO '{USER}'@'localhost';"
    );
    let done = root_sql(&setup);
    assert!(
        done.status.success(),
        "setting up the database failed:\n{}",
        text(&done)
    );
    let connection = Connection {
        host: format!("127.0.0.1:{port}"),
        socket: socket.display().to_string(),
    };
    (server, connection)
}

fn assert_passed(name: &str, output: &str) {
    assert!(
        output.contains(&format!("PASS db/{name}")),
        "{name}: {output}"
    );
}

#[test]
fn valid_database_guards_the_efuns() {
    let nowhere = Connection {
        host: String::new(),
        socket: String::new(),
    };
    assert_passed("security", &run_db_test("security", &nowhere));
}

#[test]
fn postgres() {
    let (server, connection) = start_postgres();
    let output = run_db_test("postgres", &connection);
    drop(server);
    assert_passed("postgres", &output);
}

#[test]
fn mysql() {
    let (server, connection) = start_mariadb();
    let output = run_db_test("mysql", &connection);
    drop(server);
    assert_passed("mysql", &output);
}
