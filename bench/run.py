#!/usr/bin/env python3
"""The same fleet load against csms and against the reference server.

Driven by bench/run.sh (`make bench`, `make bench-quick`); bench/README.md
describes every figure and the method. Builds nothing: it runs
$BUILD_DIR/bin/csms and $BUILD_DIR/bin/ocpp-sim (BUILD_DIR defaults to build)
and bench/reference/server.js (its node_modules installed by run.sh).

Writes results.md, the raw JSON of every fleet run and the PNG plots to
bench/results/ (quick mode: bench/results/quick/).
"""
import argparse
import atexit
import datetime
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD_DIR = os.path.join(ROOT, os.environ.get("BUILD_DIR", "build"))
CSMS_BIN = os.path.join(BUILD_DIR, "bin", "csms")
SIM_BIN = os.path.join(BUILD_DIR, "bin", "ocpp-sim")
REF_JS = os.path.join(ROOT, "bench", "reference", "server.js")
NODE = shutil.which("node") or "node"

SERVERS = ("csms", "reference")
# The meter sweep's fleets: (key, label, --v201-share).
FLEETS = (("v16", "1.6-only", 0.0), ("v201", "2.0.1-only", 1.0),
          ("mixed", "mixed (half 1.6, half 2.0.1)", 0.5))
FLEET_LABEL = {k: label for k, label, _ in FLEETS}
FLEET_SHARE = {k: share for k, _, share in FLEETS}
DBS = ("sqlite", "postgres")
PG_CLUSTER = os.path.join(ROOT, "tests", "pg", "cluster.sh")
PARTS = ("meter", "idle", "storm", "heartbeat", "tls")
MAIN_PARTS = PARTS[:4]  # the csms-vs-reference table

# Sizes. Quick mode must finish within a minute (with the build already done),
# full mode within about 15 minutes on 2 cores.
FULL = {
    "meter_stations": 2000,
    # Three fleets × two servers: the sweep starts where both servers pass.
    "meter_steps": [2000, 4000, 6000, 8000, 10000, 12000, 15000, 18000, 21000, 25000, 30000,
                    35000],
    "latency_fracs": [0.5, 0.9],
    "meter_ramp": 500,
    "meter_warmup": 2,
    "meter_duration": 8,
    "max_p99_ms": 100.0,
    "idle_sizes": [10000, 20000],
    "idle_ramp": 1000,
    "idle_hold": 6,
    "storm_stations": 10000,
    "storm_steady": 1000,
    "storm_meter_rate": 500,
    "storm_ramp": 500,
    "storm_at": 8,
    "storm_duration": 60,
    "hb_stations": 100,
    "hb_duration": 20,
    "tls_hs_stations": 2000,
    "tls_storm_stations": 10000,
    "tls_storm_ramp": 1000,
    "tls_storm_at": 30,
    "tls_long_deadline": True,
}
QUICK = {
    "meter_stations": 200,
    "meter_steps": [2000],
    "latency_fracs": [0.5],
    "meter_ramp": 0,
    "meter_warmup": 1,
    "meter_duration": 1.5,
    "max_p99_ms": 100.0,
    "idle_sizes": [1000],
    "idle_ramp": 0,
    "idle_hold": 1,
    "storm_stations": 300,
    "storm_steady": 30,
    "storm_meter_rate": 100,
    "storm_ramp": 0,
    "storm_at": 2,
    "storm_duration": 15,
    "hb_stations": 20,
    "hb_duration": 2,
    "tls_hs_stations": 200,
    "tls_storm_stations": 500,
    "tls_storm_ramp": 0,
    "tls_storm_at": 4,
    "tls_long_deadline": False,
}

# Targets, as printed in the table.
TARGET_METER_RATIO = 1.5  # csms's durable maximum against the reference's (issue 14)
TARGET_P99_AT_HALF_MS = 15.0
TARGET_NET_US_PER_MSG = 10.0  # CPU of the network threads per meter message
TARGET_RSS_KIB = 13.0
TARGET_CONNECTIONS = 20000
TARGET_STORM_SETTLE_S = 10.0

LONG_DEADLINE_MS = 60000  # limits.handshake_timeout_ms of the third TLS storm
WARM_S = 1.0  # light traffic against each fresh server before measuring (quick: 0.5 s)
LOG_DIR = None  # server and fleet logs, kept in a temporary directory (printed at the end)
_children = []  # Popen objects we started, each in its own process group


def log(msg):
    sys.stderr.write(f"[bench {datetime.datetime.now().strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


def kill_child(p, grace=3.0):
    if p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        p.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def kill_all_children():
    for p in list(_children):
        kill_child(p, grace=1.0)


def spawn(cmd, **kw):
    p = subprocess.Popen(cmd, start_new_session=True, **kw)
    _children.append(p)
    return p


def on_signal(signum, _frame):
    log(f"signal {signum}: stopping servers and fleets")
    kill_all_children()
    sys.exit(128 + signum)


# ---------------------------------------------------------------------------
# /proc readings

def cpu_s(pid):
    """User + system CPU seconds of the process so far (/proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # utime and stime are fields 14 and 15; `fields` starts at field 3.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def thread_cpu(pid):
    """CPU seconds per thread name ({comm: s}; threads of one name summed).
    The main thread (tid == pid) runs csms's service loop (Server::run):
    it is reported as `service`; csms names its other threads
    (pthread_setname_np: io-N, db-writer, db-reader, db-checkpoint, ...)."""
    out = {}
    tck = os.sysconf("SC_CLK_TCK")
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        name = "service" if tid == str(pid) else comm
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tck
    return out


def is_network_thread(name):
    """The threads that carry OCPP frames: the I/O threads (TLS, framing,
    JSON parse, writes) and the service thread (routing, handlers, answers)."""
    return name == "service" or name.startswith("io-")


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def established(port):
    """Established TCP connections whose local port is `port` (server side)."""
    n = 0
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    parts = line.split(None, 4)
                    if parts[3] == "01" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                        n += 1
        except OSError:
            pass
    return n


def sockets_of(pid):
    """Sockets the process holds open (the connections it has accepted, and
    its listeners): /proc/net/tcp also counts connections the kernel has
    completed but the server has not accepted yet."""
    n = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    n += 1
            except OSError:
                pass
    except OSError:
        pass
    return n


def machine_info(fd_limit):
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10,
                                  cwd=ROOT).stdout.strip()
        except Exception:  # noqa: BLE001 - informational only
            return "?"
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kib = 0
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_kib = int(line.split()[1])
    except OSError:
        pass
    dirty = sh("git status --porcelain --untracked-files=no | head -1")
    return {
        "nproc": sh("nproc"),
        "cpu": cpu,
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "git_rev": sh("git rev-parse --short HEAD") + (" (+ local changes)" if dirty else ""),
        "node": sh(f"{NODE} --version"),
        "fd_limit": fd_limit,
        "loadavg": sh("cut -d' ' -f1-3 /proc/loadavg"),
    }


# ---------------------------------------------------------------------------
# servers

class Server:
    def __init__(self, kind, heartbeat, tag, outdir, tls=None, extra=None, pg_url=None):
        self.kind = kind
        self.pg_url = pg_url
        self.tls = tls
        self.warm_s = WARM_S
        self.tmp = tempfile.mkdtemp(prefix=f"bench-{kind}-")
        self.log_path = os.path.join(LOG_DIR, f"{kind}-{tag}.log")
        self.db = os.path.join(self.tmp, "csms.db")
        self.logf = open(self.log_path, "w")
        if kind == "csms":
            cfg = {
                "ocpp": {"host": "127.0.0.1", "port": 0, "heartbeat_interval_s": heartbeat},
                "registration": {"accept_unknown": True, "unknown_boot_status": "Accepted",
                                 "max_unknown_per_min": 0},
                "admin": {"host": "127.0.0.1", "port": 0, "token": "bench-admin-token-not-secret"},
                "uploads": {"listen": "127.0.0.1:0", "dir": os.path.join(self.tmp, "uploads")},
                "database": {"path": self.db},
            }
            if pg_url:  # a fresh database of the throwaway cluster for each server
                cfg["database"] = {"url": pg_url}
            for section, values in (extra or {}).items():  # e.g. {"limits": {...}}
                cfg.setdefault(section, {}).update(values)
            if tls:
                cfg["ocpp"]["tls_port"] = 0
                cfg["tls"] = {"cert_file": tls["cert"], "key_file": tls["key"]}
            cfg_path = os.path.join(self.tmp, "csms.json")
            with open(cfg_path, "w") as f:
                json.dump(cfg, f, indent=1)
            cmd = [CSMS_BIN, "--config", cfg_path]
            pattern = re.compile(r"ws://[0-9.]+:(\d+)/")
        else:
            cmd = [NODE, REF_JS, "--host", "127.0.0.1", "--port", "0", "--heartbeat", str(heartbeat)]
            pattern = re.compile(r"listening on port (\d+)")
        self.proc = spawn(cmd, stdout=self.logf, stderr=subprocess.STDOUT, cwd=self.tmp)
        self.pid = self.proc.pid
        self.port = None
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break
            with open(self.log_path, errors="replace") as f:
                m = pattern.search(f.read())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.05)
        if self.port is None:
            self.stop()
            raise RuntimeError(f"{kind} did not start; see {self.log_path}:\n{self.tail()}")
        self.url = f"ws://127.0.0.1:{self.port}/ocpp"
        self.tls_port = None
        if tls:
            with open(self.log_path, errors="replace") as f:
                m = re.search(r"wss://[0-9.]+:(\d+)/", f.read())
            if not m:
                self.stop()
                raise RuntimeError(f"csms printed no wss:// URL; see {self.log_path}")
            self.tls_port = int(m.group(1))
            self.wss_url = f"wss://127.0.0.1:{self.tls_port}/ocpp"
        log(f"{kind} listening on {self.port} (pid {self.pid})")
        self.warm_up(outdir, tag)

    def warm_up(self, outdir, tag):
        """A second of light traffic from both versions before anything is
        measured: the reference compiles its schema validators on first use
        (and node its JIT), csms fills its caches; neither should count."""
        Fleet(self.url, f"{self.kind}_{tag}_warmup",
              ["--stations", 10, "--id-prefix", "warm-", "--v201-share", "0.5",
               "--charging-share", 1, "--meter-rate", 100, "--heartbeat", 1, "--ramp", 0,
               "--warmup", 0, "--duration", self.warm_s, "--call-timeout-ms", 5000],
              outdir, 2).wait()
        if self.tls:  # the TLS listener's first handshakes too
            Fleet(self.wss_url, f"{self.kind}_{tag}_warmup_tls",
                  ["--stations", 10, "--id-prefix", "warmt-", "--v201-share", "0.5",
                   "--charging-share", 0, "--heartbeat", 300, "--ramp", 0, "--warmup", 0,
                   "--duration", self.warm_s, "--call-timeout-ms", 5000,
                   "--ca-file", self.tls["ca"]], outdir, 2).wait()

    def alive(self):
        return self.proc.poll() is None

    def tail(self, n=15):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def meter_rows(self):
        """Rows in the meter-value table (csms only), read while it runs."""
        if self.kind != "csms":
            return None
        if self.pg_url:
            return pg_query(self.pg_url, "SELECT count(*) FROM meter_samples")
        try:
            con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
            try:
                return con.execute("SELECT count(*) FROM meter_samples").fetchone()[0]
            finally:
                con.close()
        except sqlite3.Error as e:
            log(f"cannot count meter_samples: {e}")
            return None

    def stop(self):
        kill_child(self.proc, grace=5.0)
        self.logf.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------------------
# PostgreSQL (--db postgres): a throwaway cluster from tests/pg/cluster.sh,
# durable (fsync and synchronous_commit on), a fresh database per server

class PgCluster:
    def __init__(self):
        self.state = tempfile.mkdtemp(prefix="bench-pg-")
        env = dict(os.environ, CSMS_PG_DURABLE="1")
        p = subprocess.run([PG_CLUSTER, "start", self.state], capture_output=True, text=True,
                           timeout=120, env=env)
        if p.returncode != 0:
            raise RuntimeError(f"cannot start the PostgreSQL cluster: {p.stderr.strip()}")
        with open(os.path.join(self.state, "url")) as f:
            self.url = f.read().strip()
        self.count = 0
        log(f"PostgreSQL cluster: {self.url}")

    def fresh_database(self):
        self.count += 1
        name = f"bench{self.count}"
        pg_query(self.url, f"CREATE DATABASE {name}")
        return self.url.replace("postgresql:///postgres?", f"postgresql:///{name}?")

    def stop(self):
        subprocess.run([PG_CLUSTER, "stop", self.state], capture_output=True, timeout=60)
        shutil.rmtree(self.state, ignore_errors=True)


def pg_query(url, sql):
    """One value from psql (None on failure)."""
    try:
        p = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-d", url, "-c", sql],
                           capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        log(f"psql failed: {e}")
        return None
    if p.returncode != 0:
        log(f"psql failed: {p.stderr.strip()}")
        return None
    out = p.stdout.strip()
    return int(out) if out.isdigit() else out


# ---------------------------------------------------------------------------
# the fleet

class Fleet:
    def __init__(self, url, name, args, outdir, expected_s):
        self.name = name
        self.cmd = [SIM_BIN, "fleet", "--url", url, "--json"] + [str(a) for a in args]
        self.raw_path = os.path.join(outdir, "raw", f"{name}.json")
        self.err_path = os.path.join(LOG_DIR, f"fleet-{name}.log")
        os.makedirs(os.path.dirname(self.raw_path), exist_ok=True)
        self.errf = open(self.err_path, "w")
        self.out = tempfile.TemporaryFile(mode="w+")
        self.timeout = expected_s * 1.5 + 30
        self.started = time.time()
        self.proc = spawn(self.cmd, stdout=self.out, stderr=self.errf)

    def finish(self):
        """Ends the run early (the fleet stops on SIGINT and still reports)."""
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGINT)
            except ProcessLookupError:
                pass
        self.timeout = min(self.timeout, time.time() - self.started + 30)
        return self.wait()

    def wait(self):
        try:
            self.proc.wait(timeout=max(1.0, self.timeout - (time.time() - self.started)))
            rc = self.proc.returncode
            timed_out = False
        except subprocess.TimeoutExpired:
            log(f"fleet {self.name} still running after {self.timeout:.0f} s: killed")
            kill_child(self.proc)
            rc = self.proc.returncode
            timed_out = True
        self.errf.close()
        self.out.seek(0)
        text = self.out.read()
        self.out.close()
        report = parse_report(text)
        if report is None:
            log(f"fleet {self.name}: no JSON report (exit {rc}); see {self.err_path}")
        record = {"name": self.name, "cmd": self.cmd, "exit": rc, "timed_out": timed_out,
                  "wall_s": round(time.time() - self.started, 2), "report": report}
        with open(self.raw_path, "w") as f:
            json.dump(record, f, indent=1)
        return report


def parse_report(text):
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def run_fleet(server, name, args, outdir, expected_s):
    return Fleet(server.url, name, args, outdir, expected_s).wait()


METER_ACTIONS = ("MeterValues", "TransactionEvent")


def meter_latency(report):
    """p50/p99/max over the meter-carrying actions (the worse of the two)."""
    acts = (report or {}).get("actions") or {}
    vals = [acts[a] for a in METER_ACTIONS if a in acts and acts[a].get("sent")]
    if not vals:
        return None, None, None
    return (max(v.get("p50_ms") or 0 for v in vals), max(v.get("p99_ms") or 0 for v in vals),
            max(v.get("max_ms") or 0 for v in vals))


def total_errors(report):
    acts = (report or {}).get("actions") or {}
    errors = sum(int(a.get("errors") or 0) for a in acts.values())
    timeouts = sum(int(a.get("timeouts") or 0) for a in acts.values())
    conn = (report or {}).get("connect") or {}
    return errors, timeouts, (int(conn.get("failed") or 0) + int(conn.get("timeouts") or 0)
                              + int(conn.get("rejected_503") or 0)
                              + int(conn.get("unexpected_drops") or 0))


# ---------------------------------------------------------------------------
# a. meter values

def meter_args(cfg, share, rate, tag):
    return ["--stations", cfg["meter_stations"], "--id-prefix", f"m{tag}-",
            "--v201-share", share, "--charging-share", "1", "--meter-rate", rate,
            "--heartbeat", 300, "--ramp", cfg["meter_ramp"], "--warmup", cfg["meter_warmup"],
            "--duration", cfg["meter_warmup"] + cfg["meter_duration"], "--call-timeout-ms", 10000,
            "--connect-timeout-ms", 10000]


def meter_expected_s(cfg):
    ramp = cfg["meter_stations"] / cfg["meter_ramp"] if cfg["meter_ramp"] else 1
    return ramp + cfg["meter_warmup"] + cfg["meter_duration"] + 3


def meter_step(cfg, srv, share, rate, name, outdir, samples_per_message):
    rows0 = srv.meter_rows()
    cpu0 = thread_cpu(srv.pid) if srv.kind == "csms" else {}
    r = run_fleet(srv, name, meter_args(cfg, share, rate, name.replace("_", "")),
                  outdir, meter_expected_s(cfg))
    cpu1 = thread_cpu(srv.pid) if srv.kind == "csms" else {}
    rows1 = srv.meter_rows()
    step = {"offered": rate, "report_file": f"raw/{name}.json"}
    if r is None:
        step.update(ok=False, why="no report (fleet failed)")
        return step
    mv = r.get("meter_values") or {}
    achieved = float(mv.get("rate_per_s") or 0)
    acked = int(mv.get("acknowledged") or 0)
    p50, p99, pmax = meter_latency(r)
    errors, timeouts, conn_failed = total_errors(r)
    step.update(achieved=achieved, acknowledged=acked, late=mv.get("late"), p50_ms=p50,
                p99_ms=p99, max_ms=pmax, errors=errors, timeouts=timeouts,
                connect_failed=conn_failed, connected_end=r.get("connected_end"))
    if cpu1:
        # CPU over the whole fleet run (connect, boot, start, meter values),
        # per CALL answered in it: at these sizes most of them are meter values.
        calls = sum(int(a.get("ok") or 0) for a in (r.get("actions") or {}).values())
        cpu = {k: round(v - cpu0.get(k, 0.0), 3) for k, v in cpu1.items()}
        net = sum(v for k, v in cpu.items() if is_network_thread(k))
        step.update(thread_cpu_s=cpu, calls_answered=calls,
                    net_us_per_call=round(net / calls * 1e6, 1) if calls else None,
                    cpu_us_per_call=round(sum(cpu.values()) / calls * 1e6, 1) if calls else None)
    why = []
    if achieved < 0.98 * rate:
        why.append(f"achieved {achieved:.0f}/s < 98% of {rate}/s")
    if errors or timeouts or conn_failed:
        why.append(f"{errors} errors, {timeouts} timeouts, {conn_failed} failed connects/drops")
    if p99 is None or p99 > cfg["max_p99_ms"]:
        why.append(f"p99 {p99} ms > {cfg['max_p99_ms']:.0f} ms")
    if rows0 is not None and rows1 is not None:
        stored = rows1 - rows0
        need = acked * samples_per_message
        step.update(rows_stored=stored, samples_acknowledged=need, durable=stored >= need)
        if stored < need:
            why.append(f"only {stored} meter rows stored for {need} acknowledged samples")
    if not srv.alive():
        why.append("server died")
    step["ok"] = not why
    step["why"] = "; ".join(why)
    return step


def bench_meter(cfg, kind, outdir, samples_per_message, fleet="mixed", pg=None):
    share = FLEET_SHARE[fleet]
    tag = f"meter-{fleet}" + ("-pg" if pg else "")
    srv = Server(kind, 300, tag, outdir, pg_url=pg.fresh_database() if pg else None)
    prefix = f"{kind}{'_pg' if pg else ''}_meter_{fleet}"
    sweep, latency = [], {}
    try:
        best, failures = None, 0
        for rate in cfg["meter_steps"]:
            step = meter_step(cfg, srv, share, rate, f"{prefix}_{rate}", outdir,
                              samples_per_message)
            sweep.append(step)
            log(f"{prefix} {rate}/s: achieved {step.get('achieved', 0):.0f}/s "
                f"p50 {step.get('p50_ms')} p99 {step.get('p99_ms')} ms "
                f"{'ok' if step['ok'] else 'FAIL: ' + step['why']}"
                + (f"; network threads {step['net_us_per_call']} µs/call, CPU s per thread "
                   f"{step['thread_cpu_s']}" if step.get("thread_cpu_s") else ""))
            # A step failed on latency alone may be noise on a shared machine:
            # the sweep goes on until the server is saturated (less than 90%
            # of the offered rate got through), CALLs fail, or three steps
            # in a row have failed.
            if step["ok"]:
                best, failures = step, 0
                continue
            failures += 1
            if (failures >= 3 or step.get("achieved", 0) < 0.9 * rate or not srv.alive()
                    or step.get("errors") or step.get("timeouts") or step.get("connect_failed")):
                break
        max_rate = best["offered"] if best else 0
        if max_rate:
            for frac in cfg["latency_fracs"]:
                rate = max(100, int(round(max_rate * frac / 100.0)) * 100)
                step = meter_step(cfg, srv, share, rate, f"{prefix}_at{int(frac * 100)}",
                                  outdir, samples_per_message)
                latency[str(frac)] = step
                log(f"{prefix} at {int(frac * 100)}% ({rate}/s): p50 {step.get('p50_ms')} "
                    f"p99 {step.get('p99_ms')} ms {'ok' if step['ok'] else step['why']}")
        durable = all(s.get("durable", True) for s in sweep if s["ok"])
        peak = max((s.get("achieved") or 0 for s in sweep), default=0)
        return {"fleet": fleet, "db": "postgres" if pg else ("sqlite" if kind == "csms" else None),
                "max_rate": max_rate, "peak_achieved": peak, "durable": durable if kind == "csms" else None,
                "best": best, "sweep": sweep, "latency": latency, "server_alive": srv.alive(),
                "server_log_tail": "" if srv.alive() else srv.tail()}
    finally:
        srv.stop()


# ---------------------------------------------------------------------------
# b. idle connections

def bench_idle(cfg, kind, n, outdir, fd_limit):
    srv = Server(kind, 300, f"idle{n}", outdir)
    try:
        time.sleep(0.5)
        rss0 = rss_kib(srv.pid)
        sockets0 = sockets_of(srv.pid) - established(srv.port)
        # One fleet process holds one descriptor per station: split the fleet
        # when one process could not hold them all.
        per_proc = max(1000, fd_limit - 500)
        parts = max(1, math.ceil(n / per_proc))
        ramp = cfg["idle_ramp"]
        ramp_s = n / ramp if ramp else 2
        hold = cfg["idle_hold"]
        duration = 60 + hold  # an upper bound: the fleets are stopped once sampled
        fleets = []
        for j in range(parts):
            share = n // parts + (1 if j < n % parts else 0)
            args = ["--stations", share, "--id-prefix", f"i{n}p{j}-", "--v201-share", "0.5",
                    "--charging-share", "0", "--heartbeat", 300, "--source-addresses", 8,
                    "--ramp", (ramp / parts) if ramp else 0, "--duration", duration,
                    "--connect-timeout-ms", 20000, "--call-timeout-ms", 30000]
            fleets.append(Fleet(srv.url, f"{kind}_idle_{n}" + (f"_part{j}" if parts > 1 else ""),
                                args, outdir, ramp_s + duration + 5))
        # Wait for all to connect, or for the count to stop growing.
        deadline = time.time() + ramp_s + 30
        last, last_change = -1, time.time()
        def held_now():
            return min(established(srv.port), sockets_of(srv.pid) - sockets0)

        while time.time() < deadline:
            c = held_now()
            if c != last:
                last, last_change = c, time.time()
            if c >= n or (time.time() - last_change > 4 and time.time() > fleets[0].started + ramp_s):
                break
            if not srv.alive() or all(f.proc.poll() is not None for f in fleets):
                break
            time.sleep(0.25)
        # Hold: sample RSS and the connection count a few times.
        samples = []
        t_end = time.time() + hold
        while time.time() < t_end and srv.alive():
            samples.append((held_now(), rss_kib(srv.pid)))
            time.sleep(0.5)
        reports = [f.finish() for f in fleets]
        if samples:
            held = min(s[0] for s in samples)
            rss_hold = max(s[1] or 0 for s in samples)
        else:
            held, rss_hold = 0, None
        per_conn = ((rss_hold - rss0) / held) if (held and rss_hold and rss0) else None
        peak = sum(int((r or {}).get("connected_peak") or 0) for r in reports)
        conn = {}
        for r in reports:
            for k, v in ((r or {}).get("connect") or {}).items():
                conn[k] = conn.get(k, 0) + int(v or 0)
        res = {"stations": n, "rss_before_kib": rss0, "rss_hold_kib": rss_hold, "held": held,
               "fleet_connected_peak": peak, "connect": conn,
               "rss_per_conn_kib": round(per_conn, 2) if per_conn is not None else None,
               "server_alive": srv.alive(), "fleet_parts": parts,
               "server_log_tail": "" if srv.alive() else srv.tail()}
        log(f"{kind} idle {n}: held {held}, RSS {rss0} -> {rss_hold} KiB, "
            f"{res['rss_per_conn_kib']} KiB/connection, connect {conn}")
        return res
    finally:
        srv.stop()


# ---------------------------------------------------------------------------
# c. reconnect storm

def bench_storm(cfg, kind, outdir):
    total = cfg["storm_stations"] + cfg["storm_steady"]
    srv = Server(kind, 300, "storm", outdir)
    try:
        ramp = cfg["storm_ramp"]
        ramp_s = total / ramp if ramp else 2
        args = ["--stations", total, "--id-prefix", "s-", "--v201-share", "0.5",
                "--charging-share", 1, "--meter-rate", cfg["storm_meter_rate"],
                "--heartbeat", 300, "--source-addresses", 8, "--ramp", ramp,
                "--duration", cfg["storm_duration"], "--storm-at", cfg["storm_at"],
                "--storm-share", f"{cfg['storm_stations'] / total:.4f}",
                "--connect-timeout-ms", 20000, "--call-timeout-ms", 30000]
        fleet = Fleet(srv.url, f"{kind}_storm", args, outdir, ramp_s + cfg["storm_duration"] + 5)
        # The fleet says on stderr when the storm has settled; the figures are
        # complete then, so stop it a second later instead of running out
        # the duration (an upper bound).
        settled_at = None
        while fleet.proc.poll() is None:
            if settled_at is None:
                with open(fleet.err_path, errors="replace") as f:
                    if "storm settled" in f.read():
                        settled_at = time.time()
            elif time.time() - settled_at > 1:
                break
            if time.time() - fleet.started > fleet.timeout:
                break
            time.sleep(0.25)
        r = fleet.finish()
        storm = (r or {}).get("storm") or {}
        errors, timeouts, conn_failed = total_errors(r)
        res = {"stations": cfg["storm_stations"], "steady": cfg["storm_steady"], "storm": storm,
               "errors": errors, "timeouts": timeouts, "connect": (r or {}).get("connect"),
               "connected_end": (r or {}).get("connected_end"), "server_alive": srv.alive(),
               "server_log_tail": "" if srv.alive() else srv.tail()}
        log(f"{kind} storm: {json.dumps(storm)}")
        return res
    finally:
        srv.stop()


# ---------------------------------------------------------------------------
# d. heartbeat latency

def bench_heartbeat(cfg, kind, outdir):
    srv = Server(kind, 1, "heartbeat", outdir)
    try:
        args = ["--stations", cfg["hb_stations"], "--id-prefix", "h-", "--v201-share", "0.5",
                "--charging-share", "0", "--heartbeat", 1, "--ramp", 0, "--warmup", 1,
                "--duration", cfg["hb_duration"] + 1, "--call-timeout-ms", 10000]
        r = run_fleet(srv, f"{kind}_heartbeat", args, outdir, cfg["hb_duration"] + 5)
        hb = ((r or {}).get("actions") or {}).get("Heartbeat") or {}
        errors, timeouts, conn_failed = total_errors(r)
        res = {"stations": cfg["hb_stations"], "heartbeat": hb, "errors": errors,
               "timeouts": timeouts, "server_alive": srv.alive()}
        log(f"{kind} heartbeat: p50 {hb.get('p50_ms')} p99 {hb.get('p99_ms')} ms, "
            f"{hb.get('ok')} ok, {errors} errors")
        return res
    finally:
        srv.stop()


# ---------------------------------------------------------------------------
# e. TLS: handshake cost and a reconnect storm over wss://, beside plain ws://

def make_tls_files(directory):
    """A throwaway CA and an ECDSA P-256 server certificate for 127.0.0.1."""
    def run(*cmd):
        subprocess.run(cmd, check=True, capture_output=True, cwd=directory, timeout=30)
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key")
    run("openssl", "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=bench CA",
        "-days", "2", "-out", "ca.pem")
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key")
    run("openssl", "req", "-new", "-key", "server.key", "-subj", "/CN=127.0.0.1",
        "-out", "server.csr")
    with open(os.path.join(directory, "ext.cnf"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\n"
                "extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n")
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem")
    return {k: os.path.join(directory, f) for k, f in
            (("ca", "ca.pem"), ("cert", "server.pem"), ("key", "server.key"))}


def busy_processes():
    """What else is using the CPUs (the load the figures were taken under)."""
    try:
        out = subprocess.run(["ps", "-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"],
                             capture_output=True, text=True, timeout=10).stdout
    except Exception:  # noqa: BLE001 - informational only
        return []
    busy = []
    for line in out.splitlines():
        parts = line.split(None, 1)
        if len(parts) == 2 and float(parts[0]) >= 5.0:
            busy.append(f"{parts[1].strip()} {parts[0]}%")
    return busy[:8]


def wait_quiet(srv, port, n, deadline, stop_text=None, err_path=None):
    """Waits until `n` connections are established on `port` and the server's
    CPU time has stopped growing (< 20 ms in 0.5 s): all booted. False when
    the deadline (or `stop_text` in the fleet's stderr) came first."""
    last = cpu_s(srv.pid)
    while time.time() < deadline and srv.alive():
        time.sleep(0.5)
        now = cpu_s(srv.pid)
        if stop_text and err_path:
            with open(err_path, errors="replace") as f:
                if stop_text in f.read():
                    return False
        if established(port) >= n and now is not None and last is not None and now - last < 0.02:
            return True
        last = now
    return False


def tls_fleet_args(mode, certs):
    return ["--ca-file", certs["ca"]] if mode == "tls" else []


def bench_tls_handshake(cfg, mode, certs, outdir):
    """N stations connect at once over ws:// or wss:// and boot."""
    n = cfg["tls_hs_stations"]
    srv = Server("csms", 300, f"tls-handshake-{mode}", outdir, tls=certs)
    try:
        url, port = (srv.wss_url, srv.tls_port) if mode == "tls" else (srv.url, srv.port)
        cpu0 = cpu_s(srv.pid)
        args = ["--stations", n, "--id-prefix", f"hs{mode}-", "--v201-share", "0.5",
                "--charging-share", 0, "--heartbeat", 300, "--source-addresses", 8,
                "--ramp", 0, "--warmup", 0, "--duration", 60, "--connect-timeout-ms", 30000,
                "--call-timeout-ms", 30000] + tls_fleet_args(mode, certs)
        fleet = Fleet(url, f"tls_handshake_{mode}", args, outdir, 65)
        quiet = wait_quiet(srv, port, n, time.time() + 60)
        cpu1 = cpu_s(srv.pid)
        r = fleet.finish()
        cb = (r or {}).get("connect_boot") or {}
        booted = int(cb.get("count") or 0)
        last_ms = cb.get("max_ms")
        res = {"mode": mode, "stations": n, "booted": booted, "settled": quiet,
               "cpu_s": round(cpu1 - cpu0, 3) if cpu0 is not None and cpu1 is not None else None,
               "connect_boot": cb, "connect": (r or {}).get("connect"),
               "server_alive": srv.alive()}
        res["cpu_s_per_1000"] = (round(res["cpu_s"] / booted * 1000, 3)
                                 if res["cpu_s"] is not None and booted else None)
        res["connections_per_s"] = (round(booted / (last_ms / 1000.0))
                                    if booted and last_ms else None)
        log(f"tls handshake {mode}: {booted}/{n} booted, {res['connections_per_s']}/s, "
            f"CPU {res['cpu_s']} s ({res['cpu_s_per_1000']} s/1000), connect+boot p50 "
            f"{cb.get('p50_ms')} p99 {cb.get('p99_ms')} ms")
        return res
    finally:
        srv.stop()


def bench_tls_storm(cfg, mode, certs, outdir, extra=None, tag=""):
    """N stations over ws:// or wss://, all dropped at once, all reconnecting."""
    n = cfg["tls_storm_stations"]
    srv = Server("csms", 300, f"tls-storm-{mode}{tag}", outdir, tls=certs, extra=extra)
    try:
        url, port = (srv.wss_url, srv.tls_port) if mode == "tls" else (srv.url, srv.port)
        time.sleep(0.5)
        rss0 = rss_kib(srv.pid)
        ramp = cfg["tls_storm_ramp"]
        ramp_s = n / ramp if ramp else 2
        args = ["--stations", n, "--id-prefix", f"ts{mode}-", "--v201-share", "0.5",
                "--charging-share", 0, "--heartbeat", 300, "--source-addresses", 8,
                "--ramp", ramp, "--warmup", 0, "--duration", cfg["tls_storm_at"] + 60,
                "--storm-at", cfg["tls_storm_at"], "--storm-share", 1,
                "--connect-timeout-ms", 30000, "--call-timeout-ms", 30000] \
            + tls_fleet_args(mode, certs)
        fleet = Fleet(url, f"tls_storm_{mode}{tag}", args, outdir,
                      ramp_s + cfg["tls_storm_at"] + 65)
        # Idle and settled before the drop: RSS per connection.
        quiet = wait_quiet(srv, port, n, fleet.started + ramp_s + cfg["tls_storm_at"],
                           "storm: dropping", fleet.err_path)
        held = min(established(port), n)
        rss1 = rss_kib(srv.pid)
        cpu0 = cpu_s(srv.pid)
        settled_at = None
        while fleet.proc.poll() is None and time.time() - fleet.started < fleet.timeout:
            with open(fleet.err_path, errors="replace") as f:
                if "storm settled" in f.read():
                    settled_at = time.time()
                    break
            time.sleep(0.1)
        cpu1 = cpu_s(srv.pid)
        r = fleet.finish()
        storm = (r or {}).get("storm") or {}
        res = {"mode": mode, "stations": n, "settled_before_storm": quiet, "held": held,
               "rss_before_kib": rss0, "rss_idle_kib": rss1,
               "rss_per_conn_kib": (round((rss1 - rss0) / held, 2)
                                    if quiet and held and rss0 and rss1 else None),
               "storm": storm, "storm_settled": settled_at is not None,
               "storm_cpu_s": (round(cpu1 - cpu0, 3)
                               if settled_at and cpu0 is not None and cpu1 is not None else None),
               "connect": (r or {}).get("connect"), "server_alive": srv.alive()}
        log(f"tls storm {mode}: settle {storm.get('settle_s')} s "
            f"({storm.get('reconnected')}/{storm.get('dropped')}), CPU {res['storm_cpu_s']} s, "
            f"RSS {res['rss_per_conn_kib']} KiB/connection ({held} held)")
        return res
    finally:
        srv.stop()


def bench_tls(cfg, outdir):
    started = time.time()
    tmp = tempfile.mkdtemp(prefix="bench-tls-")
    try:
        certs = make_tls_files(tmp)
        res = {"machine": machine_info(resource.getrlimit(resource.RLIMIT_NOFILE)[0]),
               "busy": busy_processes(),
               "config": {k: v for k, v in cfg.items() if k.startswith("tls_")},
               "handshake": {}, "storm": {}}
        for mode in ("plain", "tls"):
            res["handshake"][mode] = bench_tls_handshake(cfg, mode, certs, outdir)
        for mode in ("plain", "tls"):
            res["storm"][mode] = bench_tls_storm(cfg, mode, certs, outdir)
        # The same TLS storm with a handshake deadline long enough that csms
        # never cuts a queued handshake: what the default deadline costs.
        if cfg.get("tls_long_deadline"):
            res["storm"]["tls_long_deadline"] = bench_tls_storm(
                cfg, "tls", certs, outdir,
                extra={"limits": {"handshake_timeout_ms": LONG_DEADLINE_MS}}, tag="-long-deadline")
        res["wall_s"] = round(time.time() - started, 1)
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def tls_markdown(t):
    """The TLS section of results.md."""
    if not t:
        return []
    cfg, mi = t["config"], t["machine"]
    hs, st = t.get("handshake") or {}, t.get("storm") or {}
    out = ["\n## TLS: handshake cost and reconnect storm (csms only)\n",
           "ws:// against wss:// (TLS 1.3, ECDSA P-256 server key, X25519/P-256 key exchange "
           "as OpenSSL negotiates it, no client certificate: profiles 1/2) on the same csms build, "
           "each on a fresh server. Method in bench/README.md (e).\n",
           "| figure | plain ws:// | TLS wss:// | TLS − plain |", "|---|---|---|---|"]

    def diff(a, b, unit="", digits=2):
        if a is None or b is None:
            return "—"
        return f"{b - a:+.{digits}f}{unit}"

    p, s = hs.get("plain") or {}, hs.get("tls") or {}
    n = cfg.get("tls_hs_stations")
    if p or s:
        pc, sc = p.get("connect_boot") or {}, s.get("connect_boot") or {}
        out.append(f"| {n:,} stations connecting at once: connections/s (booted / time to the "
                   f"last boot) | {fmt_int(p.get('connections_per_s'))} | "
                   f"{fmt_int(s.get('connections_per_s'))} | — |")
        out.append(f"| csms CPU s per 1,000 connections (TCP + TLS + upgrade + boot + status) | "
                   f"{p.get('cpu_s_per_1000')} | {s.get('cpu_s_per_1000')} | "
                   f"{diff(p.get('cpu_s_per_1000'), s.get('cpu_s_per_1000'), ' s', 3)} |")
        out.append(f"| connect + boot latency p50 / p99 | {fmt_ms(pc.get('p50_ms'))} / "
                   f"{fmt_ms(pc.get('p99_ms'))} ms | {fmt_ms(sc.get('p50_ms'))} / "
                   f"{fmt_ms(sc.get('p99_ms'))} ms | — |")
        out.append(f"| booted / failed connects | {p.get('booted', 0):,} / "
                   f"{int((p.get('connect') or {}).get('failed') or 0)} | {s.get('booted', 0):,} / "
                   f"{int((s.get('connect') or {}).get('failed') or 0)} | — |")
    p, s = st.get("plain") or {}, st.get("tls") or {}
    n = cfg.get("tls_storm_stations")
    if p or s:
        def settle(x):
            y = x.get("storm") or {}
            if y.get("settle_s") is None:
                return "never settled" if y else "—"
            return (f"{y['settle_s']:.2f} s ({y.get('reconnected', 0):,} of "
                    f"{y.get('dropped', 0):,} back; {int(y.get('rejected_503') or 0):,} answered "
                    f"503 and retried, {int(y.get('errors') or 0):,} errors)")

        def rss(x):
            if x.get("rss_per_conn_kib") is None:
                return "—"
            return f"{x['rss_per_conn_kib']:.1f} KiB ({x.get('held', 0):,} held)"
        out.append(f"| storm: {n:,} stations dropped at once, time until all are back and "
                   f"booted | {settle(p)} | {settle(s)} | — |")
        out.append(f"| storm: csms CPU s from the drop until settled | {p.get('storm_cpu_s')} | "
                   f"{s.get('storm_cpu_s')} | "
                   f"{diff(p.get('storm_cpu_s'), s.get('storm_cpu_s'), ' s')} |")
        lng = st.get("tls_long_deadline") or {}
        if lng:
            out.append(f"| storm over TLS with `limits.handshake_timeout_ms` "
                       f"{LONG_DEADLINE_MS:,} (default 5,000): time until all are back; csms CPU "
                       f"s | — | {settle(lng)}; {lng.get('storm_cpu_s')} s CPU | — |")
        out.append(f"| RSS per idle connection, {n:,} stations (after settling, before the drop) | "
                   f"{rss(p)} | {rss(s)} | "
                   f"{diff(p.get('rss_per_conn_kib'), s.get('rss_per_conn_kib'), ' KiB', 1)} |")
    out.append("")
    out.append(f"* sizes: {cfg.get('tls_hs_stations', 0):,} stations connecting at once (ramp 0, "
               "half 1.6, half 2.0.1, 8 source addresses); storm: "
               f"{cfg.get('tls_storm_stations', 0):,} idle stations connected "
               + (f"at {cfg['tls_storm_ramp']:,}/s" if cfg.get('tls_storm_ramp') else "at once")
               + f", all dropped {cfg.get('tls_storm_at')} s after the ramp; TLS run took "
               f"{t.get('wall_s', 0):.0f} s")
    out.append(f"* machine: {mi['cpu']}, `nproc` = {mi['nproc']}; load average at the start "
               f"of the TLS run: {mi['loadavg']}; {mi['date']}; git rev {mi['git_rev']}")
    busy = t.get("busy") or []
    out.append("* also running at the start (processes at ≥ 5% CPU, `ps` pcpu): " + (", ".join(busy) if busy else "nothing"))
    out.append("* the load generator (`ocpp-sim fleet`) runs on the same cores and does its own "
               "TLS handshakes: on 2 cores its CPU caps the connection rates of both columns")
    failed = int(((st.get("tls") or {}).get("storm") or {}).get("errors") or 0)
    if failed:
        out.append(f"* the {failed:,} failed reconnects of the TLS storm are connections csms "
                   "dropped because their TLS handshake and upgrade did not complete within "
                   "`limits.handshake_timeout_ms` (5 s by default; the fleet sees \"stream "
                   "truncated\" or a closed connection): with all stations handshaking at once "
                   "on a shared 2-core machine the queue of handshakes outgrows the deadline, and "
                   "each dropped station retries after its back-off (1 s, doubling), which is "
                   "most of the settle time (compare the run with a longer deadline). No station "
                   "was lost; all came back")
    return out

# ---------------------------------------------------------------------------
# plots and the table

def plot(outdir, results):
    gp = shutil.which("gnuplot")
    if not gp:
        log("gnuplot missing: no plots (run make bench-deps)")
        return []
    made = []
    data = os.path.join(outdir, "plotdata")
    os.makedirs(data, exist_ok=True)
    # latency vs offered rate
    files = {}
    meter = results.get("meter") or {}
    plot_fleet = "mixed" if "mixed" in meter else next(iter(meter), None)
    for kind in SERVERS:
        m = meter.get(plot_fleet, {}).get(kind) if plot_fleet else None
        if not m:
            continue
        pts = [s for s in m["sweep"] if s.get("p99_ms") is not None]
        pts += [s for s in m["latency"].values() if s.get("p99_ms") is not None]
        pts.sort(key=lambda s: s["offered"])
        path = os.path.join(data, f"latency-{kind}.dat")
        with open(path, "w") as f:
            f.write("# offered achieved p50_ms p99_ms\n")
            for s in pts:
                f.write(f"{s['offered']} {s.get('achieved', 0):.1f} {s['p50_ms']} {s['p99_ms']}\n")
        files[kind] = path
    if files:
        png = os.path.join(outdir, "latency.png")
        lines = []
        colors = {"csms": "#1f77b4", "reference": "#d62728"}
        for kind, path in files.items():
            lines.append(f"'{path}' using 1:3 with linespoints lc rgb '{colors[kind]}' dt 2 pt 6 "
                         f"title '{kind} p50'")
            lines.append(f"'{path}' using 1:4 with linespoints lc rgb '{colors[kind]}' dt 1 pt 7 "
                         f"title '{kind} p99'")
        script = f"""
set terminal png size 900,560
set output '{png}'
set title 'Meter value round trip vs offered load ({results["config"]["meter_stations"]} stations charging, {FLEET_LABEL.get(plot_fleet, plot_fleet)} fleet)'
set xlabel 'offered meter values / s'
set ylabel 'latency, ms (log)'
set logscale y
set grid
set key top left
plot {', '.join(lines)}
"""
        if run_gnuplot(gp, script):
            made.append("latency.png")
    # RSS vs connections
    files = {}
    for kind in SERVERS:
        runs = results.get("idle", {}).get(kind) or []
        if not runs:
            continue
        path = os.path.join(data, f"rss-{kind}.dat")
        with open(path, "w") as f:
            f.write("# connections rss_mib\n")
            base = runs[0].get("rss_before_kib")
            if base:
                f.write(f"0 {base / 1024:.1f}\n")
            for r in runs:
                if r.get("rss_hold_kib") and r.get("held"):
                    f.write(f"{r['held']} {r['rss_hold_kib'] / 1024:.1f}\n")
        files[kind] = path
    if files:
        png = os.path.join(outdir, "rss.png")
        lines = [f"'{p}' using 1:2 with linespoints lw 2 pt 7 title '{k}'" for k, p in files.items()]
        script = f"""
set terminal png size 900,560
set output '{png}'
set title 'Server RSS vs idle connections held (each size on a fresh server)'
set xlabel 'connections held'
set ylabel 'VmRSS, MiB'
set grid
set key top left
plot {', '.join(lines)}
"""
        if run_gnuplot(gp, script):
            made.append("rss.png")
    return made


def plots_or_earlier(outdir, made):
    """The plots just made, else (no gnuplot) those an earlier run left."""
    if made:
        return made
    return [p for p in ("latency.png", "rss.png") if os.path.exists(os.path.join(outdir, p))]


def run_gnuplot(gp, script):
    try:
        p = subprocess.run([gp], input=script, text=True, capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        log("gnuplot timed out")
        return False
    if p.returncode != 0:
        log(f"gnuplot failed: {p.stderr.strip()}")
        return False
    return True


def fmt_int(v):
    return "—" if v is None else f"{int(round(v)):,}"


def fmt_ms(v):
    if v is None:
        return "—"
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def yesno(ok):
    if ok is None:
        return "—"
    return "yes" if ok else "**no**"


def build_table(results):
    """Rows of (figure, csms, reference, target, met, better) where better says
    which server is ahead on that figure ('csms', 'reference', 'tie' or None)."""
    rows = []
    meter = results.get("meter") or {}

    def ahead(c, r, lower_is_better=False):
        if c is None or r is None:
            return None
        if c == r:
            return "tie"
        return "csms" if ((c < r) if lower_is_better else (c > r)) else "reference"

    for fleet in [k for k, _, _ in FLEETS if k in meter]:
        mc, mr = meter[fleet].get("csms"), meter[fleet].get("reference")
        label = FLEET_LABEL[fleet]
        c = mc["max_rate"] if mc else None
        r = mr["max_rate"] if mr else None
        durable = mc.get("durable") if mc else None
        best = (mc or {}).get("best") or {}
        cell = fmt_int(c)
        if best.get("rows_stored") is not None:
            cell += (f" (durable: {best['rows_stored']:,} rows stored for "
                     f"{best['samples_acknowledged']:,} acknowledged samples)")
        ratio = (c / r) if (c is not None and r) else None
        if ratio is not None:
            cell += f", {ratio:.2f} × the reference"
        rows.append((f"{label}: max sustained meter values/s (≥98% of offered, no errors, p99 < "
                     f"{results['config']['max_p99_ms']:.0f} ms)", cell, fmt_int(r),
                     f"≥ {TARGET_METER_RATIO} × reference, durable",
                     yesno(ratio is not None and ratio >= TARGET_METER_RATIO and bool(durable))
                     if mc and mr else "—",
                     ahead(c, r)))
        pc = mc.get("peak_achieved") if mc else None
        pr = mr.get("peak_achieved") if mr else None
        rows.append((f"{label}: highest meter values/s achieved in any step (whatever the latency)",
                     fmt_int(pc), fmt_int(pr), "—", "—", ahead(pc, pr)))
        for frac, flabel, target in (("0.5", "50%", TARGET_P99_AT_HALF_MS), ("0.9", "90%", None)):
            lc = ((mc or {}).get("latency") or {}).get(frac) or {}
            lr = ((mr or {}).get("latency") or {}).get(frac) or {}
            if not lc and not lr and target is None:
                continue

            def cellv(s):
                if not s:
                    return "—"
                return f"{fmt_ms(s.get('p50_ms'))} / {fmt_ms(s.get('p99_ms'))} ms at {s['offered']:,}/s"
            met = None
            if target is not None:
                met = lc.get("p99_ms") is not None and lc["p99_ms"] <= target
            rows.append((f"{label}: meter value p50 / p99 at {flabel} of own max", cellv(lc),
                         cellv(lr), f"p99 ≤ {target:.0f} ms" if target else "—", yesno(met),
                         ahead(lc.get("p99_ms"), lr.get("p99_ms"), lower_is_better=True)))
        top = max_step(mc) if mc else None
        if top and top.get("net_us_per_call") is not None:
            rows.append((f"{label}: CPU of csms's network threads (I/O + service) per CALL at "
                         "its max step", f"{top['net_us_per_call']} µs (whole process "
                         f"{top['cpu_us_per_call']} µs) at {top['offered']:,}/s", "—",
                         f"≤ {TARGET_NET_US_PER_MSG:.0f} µs",
                         yesno(top["net_us_per_call"] <= TARGET_NET_US_PER_MSG), None))
    for fleet, m in (results.get("meter_pg") or {}).items():
        sq = (meter.get(fleet) or {}).get("csms") or {}
        best = m.get("best") or {}
        cell = fmt_int(m.get("max_rate"))
        if best.get("rows_stored") is not None:
            cell += (f" (durable: {best['rows_stored']:,} rows stored for "
                     f"{best['samples_acknowledged']:,} acknowledged samples; SQLite "
                     f"{fmt_int(sq.get('max_rate'))})")
        rows.append((f"{FLEET_LABEL[fleet]}: csms on PostgreSQL, max sustained meter values/s",
                     cell, "—", "—", "—", None))
    idle = results.get("idle", {})
    ic, ir = idle.get("csms") or [], idle.get("reference") or []
    for i, n in enumerate(results["config"]["idle_sizes"]):
        c = ic[i] if i < len(ic) else {}
        r = ir[i] if i < len(ir) else {}

        def cellv(x):
            if not x or x.get("rss_per_conn_kib") is None:
                return "—"
            return f"{x['rss_per_conn_kib']:.1f} KiB ({x['held']:,} held)"
        rows.append((f"RSS per idle connection, {n:,} stations", cellv(c), cellv(r),
                     f"≤ {TARGET_RSS_KIB:.0f} KiB",
                     yesno(c.get("rss_per_conn_kib") is not None
                           and c["rss_per_conn_kib"] <= TARGET_RSS_KIB),
                     ahead(c.get("rss_per_conn_kib"), r.get("rss_per_conn_kib"), True)))
    if ic or ir:
        c = max((x.get("held") or 0 for x in ic), default=None)
        r = max((x.get("held") or 0 for x in ir), default=None)
        rows.append(("idle connections held (most of any size)", fmt_int(c), fmt_int(r),
                     f"{TARGET_CONNECTIONS:,}",
                     yesno(c is not None and c >= TARGET_CONNECTIONS), ahead(c, r)))
    storm = results.get("storm", {})
    sc, sr = storm.get("csms"), storm.get("reference")
    if sc or sr:
        def settle(x):
            s = (x or {}).get("storm") or {}
            if not s:
                return None
            return s["settle_s"] if s.get("settle_s") is not None else float("inf")

        def scell(x):
            s = (x or {}).get("storm") or {}
            if not s:
                return "—"
            when = f"{s['settle_s']:.2f} s" if s.get("settle_s") is not None else "never settled"
            return f"{when} ({s.get('reconnected', 0):,} of {s.get('dropped', 0):,} back)"
        c, r = settle(sc), settle(sr)
        rows.append((f"reconnect storm: {results['config']['storm_stations']:,} dropped at once, "
                     "time until all are back, booted and answered", scell(sc), scell(sr),
                     f"≤ {TARGET_STORM_SETTLE_S:.0f} s",
                     yesno(c is not None and c <= TARGET_STORM_SETTLE_S), ahead(c, r, True)))

        def steady(x):
            """Failures over the whole storm run: errors and timeouts of every
            CALL, connections lost without the storm, failed reconnects of the
            dropped stations; and the steady stations' p99 during the storm."""
            if not x or not x.get("storm"):
                return None, None, "—"
            s = x["storm"]
            conn = x.get("connect") or {}
            drops = int(conn.get("unexpected_drops") or 0)
            calls = int(x.get("errors") or 0) + int(x.get("timeouts") or 0)
            bad = calls + drops
            return bad, s.get("steady_p99_ms"), (
                f"{calls} call errors/timeouts, {drops} unexpected drops, "
                f"{int(s.get('errors') or 0)} failed reconnects"
                + (f" (+ {int(s['rejected_503']):,} answered 503, retried)"
                   if s.get("rejected_503") else "") + "; "
                f"steady p99 {fmt_ms(s.get('steady_p99_ms'))} ms, "
                f"max {fmt_ms(s.get('steady_max_ms'))} ms")
        cb, c99, ccell = steady(sc)
        rb, r99, rcell = steady(sr)
        if cb is not None and rb is not None and cb != rb:
            better = "csms" if cb < rb else "reference"
        else:
            better = ahead(c99, r99, True)
        rows.append(("storm: errors and drops over the run; meter p99 of the "
                     f"{results['config']['storm_steady']:,} steady stations during the storm",
                     ccell, rcell, "no errors or drops", yesno(cb == 0 if cb is not None else None),
                     better))
    hb = results.get("heartbeat", {})
    hc, hr = hb.get("csms"), hb.get("reference")
    if hc or hr:
        def hcell(x):
            h = (x or {}).get("heartbeat") or {}
            if not h:
                return "—"
            return f"{fmt_ms(h.get('p50_ms'))} / {fmt_ms(h.get('p99_ms'))} ms"
        rows.append((f"Heartbeat round trip p50 / p99, {results['config']['hb_stations']} "
                     "stations at 1/s", hcell(hc), hcell(hr), "—", "—",
                     ahead(((hc or {}).get("heartbeat") or {}).get("p99_ms"),
                           ((hr or {}).get("heartbeat") or {}).get("p99_ms"), True)))
    compared = [r for r in rows if r[5] is not None]
    behind = [r[0] for r in compared if r[5] == "reference"]
    rows.append(("csms ahead of the reference on every figure",
                 f"ahead on {sum(1 for r in compared if r[5] == 'csms')} of {len(compared)}", "",
                 "all", yesno(bool(compared) and not behind), None))
    return rows, behind


def meter_runs(results):
    """(fleet, server label, sweep result) of every meter sweep, in table order."""
    meter = results.get("meter") or {}
    pg = results.get("meter_pg") or {}
    for fleet, _, _ in FLEETS:
        for kind in SERVERS:
            m = (meter.get(fleet) or {}).get(kind)
            if m:
                yield fleet, kind + (" (SQLite)" if kind == "csms" else ""), m
        if pg.get(fleet):
            yield fleet, "csms (PostgreSQL)", pg[fleet]


def max_step(m):
    """The highest passing step of a sweep, else (none passed) the one that
    achieved the most."""
    if m.get("best"):
        return m["best"]
    return max(m.get("sweep") or [], key=lambda s: s.get("achieved") or 0, default=None)


def thread_markdown(results):
    """csms's CPU per thread at its max step of each sweep."""
    cols, runs = [], []
    for fleet, kind, m in meter_runs(results):
        step = max_step(m)
        cpu = (step or {}).get("thread_cpu_s")
        if not cpu:
            continue
        runs.append((fleet, kind, step))
        for name in cpu:
            if name not in cols:
                cols.append(name)
    if not runs:
        return []
    order = ["service"] + sorted(c for c in cols if c.startswith("io-")) + \
        sorted(c for c in cols if c != "service" and not c.startswith("io-"))
    # Threads that did nothing in every run are left out.
    order = [c for c in order if any(b["thread_cpu_s"].get(c, 0) >= 0.01 for _, _, b in runs)]
    out = ["\n## csms: CPU per thread at its max step\n",
           "CPU seconds of each thread (utime + stime, /proc/PID/task/*/stat; threads named by "
           "csms, the main thread runs the service loop) over the whole fleet run of the "
           "highest passing step (or, where none passed, the step that achieved the most: see the "
           "rate column) (connect, boot, transaction start, warm-up and the measured "
           "seconds), and per CALL answered in that run. Network threads = the I/O threads "
           "(`io-N`: TLS, WebSocket framing, JSON parse, writes) + the service thread (routing, "
           "handlers, answers).\n",
           "| fleet | server | rate/s | CALLs | " + " | ".join(order)
           + " | network µs/CALL | process µs/CALL |",
           "|---|---|---|---|" + "---|" * len(order) + "---|---|"]
    for fleet, kind, b in runs:
        out.append(f"| {FLEET_LABEL.get(fleet, fleet)} | {kind} | {b['offered']:,} | "
                   f"{b.get('calls_answered', 0):,} | "
                   + " | ".join(f"{b['thread_cpu_s'].get(c, 0):.2f}" for c in order)
                   + f" | {b.get('net_us_per_call')} | {b.get('cpu_us_per_call')} |")
    out.append(f"\nThread scaling (1, 2, 4, 8 I/O threads): {results.get('scaling_note')}")
    return out


def write_markdown(outdir, results, plots):
    rows, behind = build_table(results)
    mi = results["machine"]
    cfg = results["config"]
    out = []
    out.append(f"# Benchmark results{' (quick mode)' if results['quick'] else ''}\n")
    out.append("Generated by `bench/run.sh"
               + (" --quick" if results["quick"] else "") + "`; method in bench/README.md. "
               "Lower is better for latencies, RSS and settle time.\n")
    out.append("| figure | csms | reference | target | met? |")
    out.append("|---|---|---|---|---|")
    for fig, c, r, target, met, better in rows:
        mark_c = " ▲" if better == "csms" else ""
        mark_r = " ▲" if better == "reference" else ""
        out.append(f"| {fig} | {c}{mark_c} | {r}{mark_r} | {target} | {met} |")
    out.append("\n▲ marks the server ahead on that figure. \"met?\" is csms against the target.")
    if behind:
        out.append("\ncsms is behind the reference on: " + "; ".join(behind) + ".")
    notes = results.get("notes") or []
    if notes:
        out.append("\n## Notes\n")
        out.extend(f"* {n}" for n in notes)
    out.append("\n## Machine\n")
    out.append(f"* CPU: {mi['cpu']}, `nproc` = {mi['nproc']}")
    out.append(f"* RAM: {mi['ram_gib']} GiB; kernel {mi['kernel']}; node {mi['node']}")
    out.append(f"* open files limit (`ulimit -n`) for servers and fleets: {mi['fd_limit']}")
    out.append(f"* load average at start: {mi['loadavg']}")
    out.append(f"* date: {mi['date']}; git rev: {mi['git_rev']}")
    out.append(f"* wall time of the run: {results['wall_s']:.0f} s")
    out.append("\n## Sizes\n")
    out.append(f"* meter values: {cfg['meter_stations']:,} stations all charging, three fleets "
               "(1.6-only, 2.0.1-only, mixed half and half: `--v201-share` 0, 1, 0.5); offered "
               "rates {', '.join(f'{x:,}' for x in cfg['meter_steps'])}/s, "
               f"each {cfg['meter_warmup']} s warm-up + {cfg['meter_duration']} s measured")
    out.append(f"* idle: {', '.join(f'{x:,}' for x in cfg['idle_sizes'])} stations, heartbeat "
               f"300 s, 8 source addresses, held {cfg['idle_hold']} s; RSS per connection = "
               "(VmRSS while holding − VmRSS before) / connections held")
    out.append(f"* storm: {cfg['storm_stations'] + cfg['storm_steady']:,} stations, all charging, "
               f"{cfg['storm_meter_rate']:,} meter values/s in total; {cfg['storm_stations']:,} "
               f"of them dropped at once {cfg['storm_at']} s after all connected; "
               f"{cfg['storm_duration']} s after the ramp")
    out.append(f"* heartbeat: {cfg['hb_stations']} stations, heartbeat 1 s, {cfg['hb_duration']} s")
    out.extend(thread_markdown(results))
    out.append("\n## Meter value sweep\n")
    out.append("| fleet | server | offered/s | achieved/s | p50 ms | p99 ms | max ms | errors | "
               "timeouts | rows stored / samples acked | result |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for fleet, kind, m in meter_runs(results):
        for s in m["sweep"] + [dict(v, label=f"{int(float(k) * 100)}% of max")
                               for k, v in m["latency"].items()]:
            rows_cell = (f"{s['rows_stored']:,} / {s['samples_acknowledged']:,}"
                         if s.get("rows_stored") is not None else "—")
            res = "ok" if s["ok"] else s.get("why", "")
            if s.get("label"):
                res = f"{s['label']}: {res}"
            out.append(f"| {FLEET_LABEL.get(fleet, fleet)} | {kind} | {s['offered']:,} | {s.get('achieved', 0):,.0f} | "
                       f"{fmt_ms(s.get('p50_ms'))} | {fmt_ms(s.get('p99_ms'))} | "
                       f"{fmt_ms(s.get('max_ms'))} | {s.get('errors', '—')} | "
                       f"{s.get('timeouts', '—')} | {rows_cell} | {res} |")
    out.extend(tls_markdown(results.get("tls")))
    if plots:
        out.append("\n## Plots\n")
        for p in plots:
            out.append(f"![{p}]({p})")
    out.append("\nRaw fleet reports: `raw/*.json` (command line, exit code, report); every "
               "figure with its inputs: `results.json`.")
    # The build-time section is measured by hand (not by this script): kept.
    build_time = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "build-time.md")
    if os.path.exists(build_time):
        with open(build_time) as f:
            out.append("\n" + f.read().rstrip("\n"))
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    return rows


# ---------------------------------------------------------------------------

def upgrade_results(results):
    """Reads a results.json of an earlier layout: one mixed meter sweep."""
    meter = results.get("meter") or {}
    if any(k in meter for k in SERVERS):
        results["meter"] = {"mixed": meter}
    results.setdefault("scaling_note", "not measured")
    return results


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for want in (200000, hard):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(want, hard)))
            break
        except (ValueError, OSError):
            continue
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    ap.add_argument("--only", default=",".join(PARTS),
                    help="comma-separated subset of " + ",".join(PARTS)
                    + " (the parts not run are kept from the earlier results.json in --out)")
    ap.add_argument("--servers", default=",".join(SERVERS))
    ap.add_argument("--out", help="output directory (default bench/results[/quick])")
    ap.add_argument("--samples-per-message", type=int, default=None,
                    help="sampled values in each meter message the fleet sends (durability check)")
    ap.add_argument("--fleets", default=",".join(k for k, _, _ in FLEETS),
                    help="meter sweep fleets, comma-separated subset of v16,v201,mixed")
    ap.add_argument("--db", default="sqlite",
                    help="csms's databases for the meter sweep: sqlite, postgres or "
                    "sqlite,postgres (PostgreSQL: a throwaway durable cluster from "
                    "tests/pg/cluster.sh; csms only, beside SQLite in the table)")
    ap.add_argument("--meter-steps", help="offered meter rates of the sweep, comma-separated "
                    "(a custom sweep; default: the mode's)")
    ap.add_argument("--meter-stations", type=int, help="stations of the meter sweep")
    ap.add_argument("--meter-duration", type=float, help="measured seconds per meter step")
    ap.add_argument("--render", metavar="RESULTS_JSON",
                    help="only rewrite results.md and the plots from an earlier results.json")
    args = ap.parse_args()
    if args.render:
        with open(args.render) as f:
            results = upgrade_results(json.load(f))
        outdir = os.path.dirname(os.path.abspath(args.render))
        os.makedirs(os.path.join(outdir, "plotdata"), exist_ok=True)
        write_markdown(outdir, results, plots_or_earlier(outdir, plot(outdir, results)))
        print(f"wrote {os.path.join(outdir, 'results.md')}")
        return

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    atexit.register(kill_all_children)

    cfg = dict(QUICK if args.quick else FULL)
    if args.meter_steps:
        cfg["meter_steps"] = [int(x) for x in args.meter_steps.split(",")]
    if args.meter_stations:
        cfg["meter_stations"] = args.meter_stations
    if args.meter_duration:
        cfg["meter_duration"] = args.meter_duration
    outdir = args.out or os.path.join(ROOT, "bench", "results", "quick" if args.quick else "")
    outdir = os.path.abspath(outdir)
    os.makedirs(outdir, exist_ok=True)
    only = set(args.only.split(","))
    unknown = only - set(PARTS)
    if unknown:
        sys.exit(f"bench: unknown part(s) {','.join(sorted(unknown))}; choose from {','.join(PARTS)}")
    # A partial run keeps the other parts' figures (and their raw reports).
    earlier = None
    if only != set(PARTS):
        try:
            with open(os.path.join(outdir, "results.json")) as f:
                earlier = upgrade_results(json.load(f))
        except (OSError, ValueError):
            earlier = None
    for sub in ("raw", "plotdata"):
        if earlier is None:
            shutil.rmtree(os.path.join(outdir, sub), ignore_errors=True)
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)

    servers = [s for s in args.servers.split(",") if s in SERVERS]
    fleets = [f for f in args.fleets.split(",") if f]
    dbs = [d for d in args.db.split(",") if d]
    if set(fleets) - set(FLEET_SHARE) or set(dbs) - set(DBS) or not dbs:
        sys.exit(f"bench: --fleets takes {','.join(FLEET_SHARE)}, --db takes {','.join(DBS)}")
    needed = [SIM_BIN] + ([CSMS_BIN] if "csms" in servers else []) + \
        ([REF_JS] if "reference" in servers else [])
    for path in needed:
        if not os.path.exists(path):
            sys.exit(f"bench: {path} missing (build first: make build; BUILD_DIR={BUILD_DIR})")
    if subprocess.run([SIM_BIN, "fleet", "--help"], capture_output=True, timeout=10).returncode != 0:
        sys.exit(f"bench: {SIM_BIN} has no fleet mode (`ocpp-sim fleet --help` fails)")

    global LOG_DIR, WARM_S
    if args.quick:
        WARM_S = 0.5
    LOG_DIR = tempfile.mkdtemp(prefix="csms-bench-logs-")
    fd_limit = raise_fd_limit()
    started = time.time()
    results = {"quick": args.quick, "config": cfg, "machine": machine_info(fd_limit),
               "notes": [], "log_dir": LOG_DIR,
               "scaling_note": f"not measured: this machine has {os.cpu_count()} cores, and "
               "the session that wrote this had no machine with more (the load generator "
               "shares the cores with the server)"}
    # simulator/src/fleet/payloads.cpp: every MeterValues and TransactionEvent
    # carries two sampled values (energy and power).
    spm = args.samples_per_message or 2
    if fd_limit < max(cfg["idle_sizes"]) + 100:
        results["notes"].append(
            f"The open-files limit is {fd_limit} and could not be raised to 200,000 here (no "
            "CAP_SYS_RESOURCE), so one server process cannot hold "
            f"{max(cfg['idle_sizes']):,} connections next to its own files; the fleet is "
            "split over processes, so only the server is limited. The 20,000 figures are "
            "therefore what each server reached at the limit.")

    log(f"{'quick' if args.quick else 'full'} run, results in {outdir}, open files {fd_limit}")
    try:
        if "meter" in only:
            results["meter"] = {}
            for fleet in fleets:
                results["meter"][fleet] = {
                    k: bench_meter(cfg, k, outdir, spm, fleet) for k in servers
                    if k != "csms" or "sqlite" in dbs}
            if "postgres" in dbs and "csms" in servers:
                try:
                    pg = PgCluster()
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                    pg = None
                    log(f"no PostgreSQL figures: {e}")
                    results["notes"].append(f"No PostgreSQL figures: {e}")
                if pg:
                    try:
                        results["meter_pg"] = {f: bench_meter(cfg, "csms", outdir, spm, f, pg)
                                               for f in fleets}
                    finally:
                        pg.stop()
        if "idle" in only:
            results["idle"] = {k: [bench_idle(cfg, k, n, outdir, fd_limit)
                                   for n in cfg["idle_sizes"]] for k in servers}
        if "storm" in only:
            results["storm"] = {k: bench_storm(cfg, k, outdir) for k in servers}
        if "heartbeat" in only:
            results["heartbeat"] = {k: bench_heartbeat(cfg, k, outdir) for k in servers}
        if "tls" in only and "csms" in servers:
            results["tls"] = bench_tls(cfg, outdir)
    finally:
        kill_all_children()
        results["wall_s"] = time.time() - started
        if earlier is not None:
            if not only & set(MAIN_PARTS):  # the table's machine and sizes stay the earlier run's
                for key in ("quick", "config", "machine", "notes", "wall_s"):
                    if key in earlier:
                        results[key] = earlier[key]
            for part in PARTS:
                if part not in only and part in earlier:
                    results[part] = earlier[part]
            if "meter" not in only and "meter_pg" in earlier:
                results["meter_pg"] = earlier["meter_pg"]
        with open(os.path.join(outdir, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
    plots = plot(outdir, results)
    if earlier is not None:
        plots = plots_or_earlier(outdir, plots)
    rows = write_markdown(outdir, results, plots)
    width = max(len(r[0]) for r in rows)
    print(f"\n{'figure'.ljust(width)} | csms | reference | target | met?")
    for fig, c, r, target, met, _ in rows:
        print(f"{fig.ljust(width)} | {c} | {r} | {target} | {met}")
    print(f"\nwrote {os.path.join(outdir, 'results.md')} in {time.time() - started:.0f} s; "
          f"server and fleet logs in {LOG_DIR}")


if __name__ == "__main__":
    main()
