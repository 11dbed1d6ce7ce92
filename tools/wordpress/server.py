"""A real WordPress on loopback from Debian's packages: MariaDB + PHP's built-in server, all under one state dir.

    python tools/wordpress/server.py start [--state DIR] [--port 8089]   # prints URL, user, app password
    python tools/wordpress/server.py env   [--state DIR]                 # export lines for MEDPRESS_WP_*
    python tools/wordpress/server.py stop  [--state DIR]

From tests: ``WordPressServer(tmp_dir).start()`` then ``.url``, ``.user``, ``.app_password`` and ``.stop()``.

Everything lives under the state dir (MariaDB datadir and socket, wp-content with uploads, logs, the PHP router
and install script), except one file: ``/etc/wordpress/config-medpress-<id>.php``, because Debian's
``wp-config.php`` only reads configuration from /etc/wordpress. It is picked not by HTTP_HOST but by
``$_SERVER['WORDPRESS_CONFIG']``, which the router sets on every request, so several servers (tests and one
started by hand) can run side by side on any port. ``stop()`` removes it again.

Needs the packages tools/wordpress/setup.sh installs, and root (for /etc/wordpress; MariaDB then runs with
``--user=root`` so that a 0700 pytest tmp dir is no obstacle). Python stdlib + httpx only.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

WP_ROOT = Path("/usr/share/wordpress")
WP_ETC = Path("/etc/wordpress")
DB_NAME = "wordpress"
DB_USER = "medpress"
ADMIN = "medpress"
DEFAULT_PORT = 8089
PHP_WORKERS = 4  # PHP_CLI_SERVER_WORKERS: a slow request (or a test proxy holding one) does not block the rest

# The shipped plugin a clinic installs (optional for medpress): registers the medpress_content_hash meta.
META_PLUGIN = Path(__file__).resolve().parent / "plugin" / "medpress-meta.php"

# Test support only: keeps WordPress from calling out (cron, update checks); the server is single-host and offline.
OFFLINE_PLUGIN = """<?php
/*
 * Plugin Name: medpress test support (written by tools/wordpress/server.py)
 * Turns off outgoing HTTP and mail: the test server is offline.
 */
add_filter('pre_http_request', fn() => new WP_Error('medpress_offline', 'outgoing HTTP is disabled'));
add_filter('pre_wp_mail', '__return_false');
"""

# Debian's package has no theme (the front end is an empty page); this one shows what a reader sees: the title
# and the content after every the_content filter, inside <article class="entry-content">, as most themes do.
THEME_CSS = """/*
Theme Name: medpress plain
Description: A minimal theme for tests (tools/wordpress/server.py)
Version: 1.0
*/
"""
THEME_INDEX = """<?php ?><!doctype html>
<html><head><meta charset="utf-8"><title><?php echo esc_html(wp_get_document_title()); ?></title></head>
<body>
<header><a href="<?php echo esc_url(home_url('/')); ?>"><?php bloginfo('name'); ?></a></header>
<main>
<?php while (have_posts()) : the_post(); ?>
<article class="entry-content"><h1><?php the_title(); ?></h1>
<?php the_content(); ?>
</article>
<?php endwhile; ?>
</main>
</body></html>
"""
THEME = "medpress-plain"

# The router of `php -S`: picks this instance's config for every request and serves /wp-content/ (uploads)
# from the state dir, which lies outside the document root. Everything else goes to WordPress as usual.
ROUTER = r"""<?php
$_SERVER['WORDPRESS_CONFIG'] = getenv('MEDPRESS_WP_CONFIG');
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
if (str_starts_with($path, '/wp-content/')) {
    $rel = substr($path, strlen('/wp-content/'));
    $file = getenv('MEDPRESS_WP_CONTENT') . '/' . $rel;
    if (str_contains($rel, '..') || str_ends_with(strtolower($rel), '.php') || !is_file($file)) {
        http_response_code(404);
        header('Content-Type: text/plain');
        echo "not found\n";
        return true;
    }
    $types = ['png' => 'image/png', 'jpg' => 'image/jpeg', 'jpeg' => 'image/jpeg', 'gif' => 'image/gif',
              'webp' => 'image/webp', 'svg' => 'image/svg+xml', 'css' => 'text/css', 'js' => 'text/javascript',
              'pdf' => 'application/pdf', 'txt' => 'text/plain'];
    $ext = strtolower(pathinfo($file, PATHINFO_EXTENSION));
    header('Content-Type: ' . ($types[$ext] ?? 'application/octet-stream'));
    header('Content-Length: ' . filesize($file));
    readfile($file);
    return true;
}
return false;
"""

# Run once per start with the PHP CLI: installs WordPress when the database is empty, sets pretty permalinks
# (plain ones make POST /wp-json/... answer 200 with an empty HTML body) and mints an application password.
INSTALL = r"""<?php
$_SERVER['HTTP_HOST'] = getenv('MEDPRESS_WP_HOST');
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['WORDPRESS_CONFIG'] = getenv('MEDPRESS_WP_CONFIG');
define('WP_INSTALLING', true);
// Pluggable: wp_install() would otherwise try to mail the admin (sendmail: not found).
function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password) {}
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
add_filter('pre_http_request', fn() => new WP_Error('medpress_offline', 'no HTTP during install'));
add_filter('pre_wp_mail', '__return_false');
$out = ['installed_now' => false];
if (!is_blog_installed()) {
    $result = wp_install('medpress test blog', getenv('MEDPRESS_WP_ADMIN'), 'medpress@example.org', false, '',
                         wp_slash(getenv('MEDPRESS_WP_ADMIN_PASSWORD')));
    $out['installed_now'] = true;
}
global $wp_rewrite;
update_option('permalink_structure', '/%postname%/');
$wp_rewrite->set_permalink_structure('/%postname%/');
$wp_rewrite->flush_rules(false);
update_option('blog_public', '0');
if (getenv('MEDPRESS_WP_NEW_APP_PASSWORD') === '1') {
    $user = get_user_by('login', getenv('MEDPRESS_WP_ADMIN'));
    foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
        if ($item['name'] === 'medpress') {
            WP_Application_Passwords::delete_application_password($user->ID, $item['uuid']);
        }
    }
    $created = WP_Application_Passwords::create_new_application_password($user->ID, ['name' => 'medpress']);
    if (is_wp_error($created)) {
        fwrite(STDERR, 'application password: ' . $created->get_error_message() . "\n");
        exit(1);
    }
    $out['app_password'] = $created[0];
}
if (wp_get_theme('medpress-plain')->exists() && get_stylesheet() !== 'medpress-plain') {
    switch_theme('medpress-plain');
}
// Two Editor-role users with their own application passwords: one publishes (as a clinic would set medpress
// up), the other edits by hand.
foreach (['editor', 'other'] as $who) {
    $login = getenv('MEDPRESS_WP_ADMIN') . '-' . $who;
    if (getenv('MEDPRESS_WP_NEW_APP_PASSWORD') !== '1') {
        continue;
    }
    $user = get_user_by('login', $login);
    if (!$user) {
        $id = wp_insert_user(['user_login' => $login, 'user_pass' => wp_generate_password(24),
                              'user_email' => $login . '@example.org', 'role' => 'editor']);
        $user = get_user_by('id', $id);
    }
    $created = WP_Application_Passwords::create_new_application_password($user->ID, ['name' => 'medpress-' . $who]);
    $out['users'][$login] = $created[0];
}
$out['permalink_structure'] = get_option('permalink_structure');
echo json_encode($out), "\n";
"""


def _php_str(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    state = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        return state.read_text().split(") ", 1)[1][:1] != "Z"  # a zombie has exited
    return True


class WordPressError(RuntimeError):
    pass


class WordPressServer:
    """One WordPress instance whose state (database, uploads, logs) lives in ``state_dir``."""

    def __init__(self, state_dir: Path | str, port: int = 0, *, startup_timeout: float = 60.0,
                 plugin: bool = True, mu_plugins: dict[str, str] | None = None) -> None:
        self.state = Path(state_dir).resolve()
        self.plugin = plugin  # install the shipped medpress-meta.php (False: a stock WordPress for medpress)
        self.mu_plugins = dict(mu_plugins or {})  # file name -> PHP, extra must-use plugins for a test
        self.users: dict[str, str] = {}  # login -> application password of the Editor-role users
        self.port = port
        self.startup_timeout = startup_timeout
        ident = hashlib.sha256(str(self.state).encode()).hexdigest()[:10]
        self.config_name = f"medpress-{ident}"
        self.config_file = WP_ETC / f"config-{self.config_name}.php"
        self.datadir = self.state / "mysql"
        self.socket = self.state / "mysqld.sock"
        if len(str(self.socket)) > 100:  # a unix socket path has at most 107 bytes
            self.socket = Path("/tmp") / f"medpress-wp-{ident}.sock"
        self.content_dir = self.state / "wp-content"
        self.state_file = self.state / "server.json"
        self.user = ADMIN
        self.app_password = ""
        self.admin_password = ""
        self.db_password = ""
        self.url = ""
        self.timings: dict[str, float] = {}
        self._mariadb: subprocess.Popen[bytes] | None = None
        self._php: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:  # never the passwords
        return f"WordPressServer(state={str(self.state)!r}, url={self.url!r})"

    # -- start ----------------------------------------------------------------------------------------
    def start(self) -> WordPressServer:
        began = time.monotonic()
        for tool in ("mariadbd", "mariadb", "php"):
            if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
                raise WordPressError(f"{tool} not found: run tools/wordpress/setup.sh (as root) first")
        if not (WP_ROOT / "wp-load.php").is_file():
            raise WordPressError(f"{WP_ROOT}/wp-load.php missing: run tools/wordpress/setup.sh first")
        if not os.access(WP_ETC, os.W_OK):
            raise WordPressError(f"{WP_ETC} is not writable: WordPress's Debian config lives there (run as root)")
        self.state.mkdir(parents=True, exist_ok=True)
        saved = self._load_state()
        if saved.get("mariadb_pid") and _alive(int(saved["mariadb_pid"])) and \
                str(self.socket) in _cmdline(int(saved["mariadb_pid"])):
            raise WordPressError(f"a server already runs from {self.state}: stop it first")
        self.db_password = saved.get("db_password") or secrets.token_urlsafe(18)
        self.admin_password = saved.get("admin_password") or secrets.token_urlsafe(18)
        self.app_password = saved.get("app_password", "")
        self.users = dict(saved.get("users") or {})
        self.port = self.port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        try:
            self._start_mariadb()
            self._write_site()
            self._install()
            self._start_php()
        except BaseException:
            self.stop()
            raise
        self.timings["total"] = time.monotonic() - began
        self._save_state()
        return self

    def _step(self, name: str, began: float) -> None:
        self.timings[name] = round(time.monotonic() - began, 3)

    def _start_mariadb(self) -> None:
        began = time.monotonic()
        root = ["--user=root"] if os.geteuid() == 0 else []
        log = self.state / "mariadb.log"
        if not (self.datadir / "mysql").is_dir():
            shutil.rmtree(self.datadir, ignore_errors=True)
            done = subprocess.run(
                ["mariadb-install-db", "--no-defaults", f"--datadir={self.datadir}", *root,
                 "--auth-root-authentication-method=socket", "--skip-test-db", "--skip-name-resolve"],
                capture_output=True, text=True, timeout=120, check=False)
            if done.returncode != 0:
                raise WordPressError(f"mariadb-install-db failed ({done.returncode}):\n{done.stdout}{done.stderr}")
            self._step("mariadb_install_db", began)
        began = time.monotonic()
        self.socket.unlink(missing_ok=True)
        with open(log, "ab") as out:
            self._mariadb = subprocess.Popen(
                ["mariadbd", "--no-defaults", f"--datadir={self.datadir}", f"--socket={self.socket}",
                 f"--pid-file={self.state / 'mariadb.pid'}", f"--log-error={log}", f"--tmpdir={self.state}",
                 "--skip-networking", *root, "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=16M",
                 "--innodb-flush-log-at-trx-commit=0", "--skip-log-bin", "--character-set-server=utf8mb4"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self._mariadb.poll() is not None:
                raise WordPressError(f"mariadbd exited with {self._mariadb.returncode}:\n{_tail(log)}")
            if self.socket.exists() and self._sql("SELECT 1", check=False).returncode == 0:
                break
            if time.monotonic() > deadline:
                raise WordPressError(f"mariadbd did not answer within {self.startup_timeout:.0f} s:\n{_tail(log)}")
            time.sleep(0.05)
        self._step("mariadb_start", began)
        began = time.monotonic()
        password = self.db_password.replace("'", "''")
        self._sql(f"CREATE DATABASE IF NOT EXISTS `{DB_NAME}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
                  f"CREATE USER IF NOT EXISTS '{DB_USER}'@'localhost' IDENTIFIED BY '{password}';"
                  f"ALTER USER '{DB_USER}'@'localhost' IDENTIFIED BY '{password}';"
                  f"GRANT ALL PRIVILEGES ON `{DB_NAME}`.* TO '{DB_USER}'@'localhost';")
        self._step("database", began)

    def _sql(self, statements: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(["mariadb", "--no-defaults", "-uroot", f"--socket={self.socket}", "-e", statements],
                              capture_output=True, text=True, timeout=30, check=False)
        if check and done.returncode != 0:
            raise WordPressError(f"SQL failed: {done.stderr.strip()}")
        return done

    def _write_site(self) -> None:
        content = self.content_dir
        for sub in ("uploads", "mu-plugins", "plugins", "themes", "upgrade"):
            (content / sub).mkdir(parents=True, exist_ok=True)
        # Debian ships plugins (akismet) under the document root and no theme; link what there is.
        for sub in ("plugins", "themes"):
            shipped = WP_ROOT / "wp-content" / sub
            for entry in shipped.iterdir() if shipped.is_dir() else ():
                link = content / sub / entry.name
                if not link.exists() and not link.is_symlink():
                    link.symlink_to(entry)
        mu = content / "mu-plugins"
        (mu / "medpress.php").unlink(missing_ok=True)  # the old combined test plugin
        (mu / "medpress-offline.php").write_text(OFFLINE_PLUGIN)
        if self.plugin:
            shutil.copyfile(META_PLUGIN, mu / META_PLUGIN.name)
        else:
            (mu / META_PLUGIN.name).unlink(missing_ok=True)
        for name, code in self.mu_plugins.items():
            (mu / name).write_text(code)
        theme = content / "themes" / THEME
        theme.mkdir(parents=True, exist_ok=True)
        (theme / "style.css").write_text(THEME_CSS)
        (theme / "index.php").write_text(THEME_INDEX)
        (self.state / "router.php").write_text(ROUTER)
        (self.state / "install.php").write_text(INSTALL)
        salts = "\n".join(f"define({_php_str(key)}, {_php_str(secrets.token_urlsafe(48))});" for key in (
            "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT",
            "LOGGED_IN_SALT", "NONCE_SALT"))
        config = f"""<?php
// Written by tools/wordpress/server.py for {self.state}; removed when that server stops.
define('DB_NAME', {_php_str(DB_NAME)});
define('DB_USER', {_php_str(DB_USER)});
define('DB_PASSWORD', {_php_str(self.db_password)});
define('DB_HOST', {_php_str('localhost:' + str(self.socket))});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', {_php_str(self.url)});
define('WP_SITEURL', {_php_str(self.url)});
define('WP_CONTENT_DIR', {_php_str(str(content))});
define('WP_CONTENT_URL', {_php_str(self.url + '/wp-content')});
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_ENVIRONMENT_TYPE', 'local');
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);
define('FS_METHOD', 'direct');
{salts}
$table_prefix = 'wp_';
"""
        self.config_file.write_text(config)
        self.config_file.chmod(0o640)

    def _env(self) -> dict[str, str]:
        return {**os.environ, "MEDPRESS_WP_CONFIG": self.config_name, "MEDPRESS_WP_CONTENT": str(self.content_dir),
                "MEDPRESS_WP_HOST": f"127.0.0.1:{self.port}", "MEDPRESS_WP_ADMIN": ADMIN}

    def _php_ini(self) -> list[str]:
        return ["-d", "display_errors=0", "-d", "log_errors=1", "-d", f"error_log={self.state / 'php-errors.log'}",
                "-d", "upload_max_filesize=64M", "-d", "post_max_size=64M", "-d", "memory_limit=256M"]

    def _install(self) -> None:
        began = time.monotonic()
        env = {**self._env(), "MEDPRESS_WP_ADMIN_PASSWORD": self.admin_password,
               "MEDPRESS_WP_NEW_APP_PASSWORD": "0" if self.app_password else "1"}
        done = subprocess.run(["php", *self._php_ini(), str(self.state / "install.php")], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            raise WordPressError(f"WordPress install script failed ({done.returncode}):\n{done.stdout[-2000:]}"
                                 f"{done.stderr[-2000:]}\n{_tail(self.state / 'php-errors.log')}")
        answer = json.loads(lines[-1])
        if answer.get("app_password"):
            self.app_password = str(answer["app_password"])
        if answer.get("users"):
            self.users = {str(k): str(v) for k, v in answer["users"].items()}
        if not self.app_password:
            raise WordPressError("no application password: delete the state dir and start again")
        self._step("wp_install" if answer.get("installed_now") else "wp_configure", began)

    def _start_php(self) -> None:
        began = time.monotonic()
        log = self.state / "php.log"
        env = {**self._env(), "PHP_CLI_SERVER_WORKERS": str(PHP_WORKERS)}
        with open(log, "ab") as out:
            self._php = subprocess.Popen(
                ["php", *self._php_ini(), "-S", f"127.0.0.1:{self.port}", "-t", str(WP_ROOT),
                 str(self.state / "router.php")],
                env=env, cwd=str(WP_ROOT), stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=10) as client:
            while True:
                if self._php.poll() is not None:
                    raise WordPressError(f"php -S exited with {self._php.returncode}:\n{_tail(log)}")
                try:
                    answer = client.get(f"{self.url}/wp-json/")
                    if answer.status_code == 200 and answer.json().get("namespaces"):
                        break
                except (httpx.HTTPError, ValueError):
                    pass
                if time.monotonic() > deadline:
                    raise WordPressError(f"WordPress did not answer {self.url}/wp-json/ within "
                                         f"{self.startup_timeout:.0f} s:\n{_tail(log)}\n"
                                         f"{_tail(self.state / 'php-errors.log')}")
                time.sleep(0.05)
        self._step("php_start", began)

    # -- state ------------------------------------------------------------------------------------------
    def _load_state(self) -> dict[str, str]:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}

    def _save_state(self) -> None:
        data = {"url": self.url, "port": self.port, "user": self.user, "app_password": self.app_password,
                "users": self.users,
                "admin_password": self.admin_password, "db_password": self.db_password,
                "config_file": str(self.config_file), "timings": self.timings,
                "mariadb_pid": self._mariadb.pid if self._mariadb else 0, "php_pid": self._php.pid if self._php else 0}
        self.state_file.write_text(json.dumps(data, indent=2))
        self.state_file.chmod(0o600)

    @classmethod
    def attach(cls, state_dir: Path | str) -> WordPressServer:
        """The server a previous ``start`` (possibly another process) left running from ``state_dir``."""
        server = cls(state_dir)
        saved = server._load_state()
        server.url = str(saved.get("url", ""))
        server.port = int(saved.get("port") or 0)
        server.app_password = str(saved.get("app_password", ""))
        server.users = dict(saved.get("users") or {})
        server.admin_password = str(saved.get("admin_password", ""))
        server.db_password = str(saved.get("db_password", ""))
        server.timings = dict(saved.get("timings") or {})
        return server

    def running(self) -> bool:
        saved = self._load_state()
        pid = int(saved.get("php_pid") or 0)
        return bool(pid) and _alive(pid) and str(self.state) in _cmdline(pid)

    # -- stop -------------------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop PHP (with its workers) and MariaDB; remove the /etc/wordpress config. Safe to call twice."""
        saved = self._load_state()
        php_pid = self._php.pid if self._php else int(saved.get("php_pid") or 0)
        db_pid = self._mariadb.pid if self._mariadb else int(saved.get("mariadb_pid") or 0)
        if php_pid and (self._php or str(self.state) in _cmdline(php_pid)):
            self._kill_group(php_pid, self._php, grace=3)
        if db_pid and (self._mariadb or str(self.socket) in _cmdline(db_pid)):
            self._kill_group(db_pid, self._mariadb, grace=20)
        self._php = self._mariadb = None
        self.config_file.unlink(missing_ok=True)
        if saved:
            saved["php_pid"] = saved["mariadb_pid"] = 0
            with contextlib.suppress(OSError):
                self.state_file.write_text(json.dumps(saved, indent=2))

    @staticmethod
    def _kill_group(pid: int, proc: subprocess.Popen[bytes] | None, grace: float) -> None:
        """SIGTERM the process group ``pid`` leads (start_new_session), SIGKILL whatever is left after ``grace``."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if proc is not None:
                proc.poll()
            if not _alive(pid) and not _group_alive(pid):
                break
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        if proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)


def _group_alive(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


def _default_state() -> Path:
    return Path(os.environ.get("MEDPRESS_CACHE") or Path.home() / ".cache" / "medpress") / "wordpress"


def _exports(server: WordPressServer) -> str:
    return (f"export MEDPRESS_WP_URL={server.url}\nexport MEDPRESS_WP_USER={server.user}\n"
            f"export MEDPRESS_WP_APP_PASSWORD='{server.app_password}'")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "status", "env"])
    parser.add_argument("--state", type=Path, default=_default_state(), help="state dir (default %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1 (0: any free one)")
    args = parser.parse_args(argv)
    if args.command == "start":
        server = WordPressServer(args.state, args.port)
        try:
            server.start()
        except WordPressError as error:
            print(f"server.py: {error}", file=sys.stderr)
            return 1
        print(f"WordPress {server.url}/ (admin {server.url}/wp-admin/ as {server.user} / {server.admin_password})")
        print(f"started in {server.timings['total']:.2f} s: {json.dumps(server.timings)}")
        print(f"state {server.state}; stop with: python tools/wordpress/server.py stop --state {server.state}")
        print(_exports(server))
        return 0
    server = WordPressServer.attach(args.state)
    if args.command == "stop":
        server.stop()
        print(f"stopped ({server.state})")
        return 0
    if not server.running():
        print(f"not running ({server.state})", file=sys.stderr)
        return 1
    print(_exports(server) if args.command == "env" else f"running: {server.url}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
