"""A throw-away JupyterHub on 127.0.0.1, and a learner's view of it over HTTP.

:class:`LocalHub` writes a hub configuration into a temporary folder and starts ``jupyterhub``
from the course environment:

- ``configurable-http-proxy`` from the npm registry (``make test-hub`` installs it into
  ``build/hub-node``) in front of everything, on a free port;
- ``DummyAuthenticator`` with one shared password and a fixed list of allowed learners;
- ``SimpleLocalProcessSpawner``: each learner's single-user server is a local process of the
  course environment, with ``HOME`` (and so ``~/.coursekit/progress.json``) under
  ``homes/<name>`` of the temporary folder. Run as root (CI), the server gets ``--allow-root``:
  this spawner runs every server as the hub's own user.

:class:`Learner` is one person using the hub through the proxy only: an HTTP login with the
password (the hub's login form, with its XSRF token), an API token created with that login,
their own server started through the hub's REST API, and notebooks run in a kernel of that
server over its websocket (:func:`Learner.run_notebook`), as JupyterLab does.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import requests
import websocket
from jupyter_server.services.kernels.connection.base import deserialize_binary_message

HUB_START_SECONDS = 90
SERVER_START_SECONDS = 180
CELL_SECONDS = 300
OUTPUT_MESSAGES = ("stream", "display_data", "execute_result", "error")


class HubError(RuntimeError):
    """The hub, or a learner's server, did not do what the test asked."""


def missing_requirement(proxy: Path) -> str | None:
    """Why the hub cannot be started here (a sentence for ``pytest.skip``), or None."""
    if shutil.which("node") is None:
        return ("node is not installed: the hub's configurable-http-proxy needs Node.js (>= 20) "
                "and npm; `make test-hub` installs the proxy with npm.")
    if not proxy.exists():
        return (f"configurable-http-proxy is not installed in {proxy.parents[2]}: run "
                "`make test-hub`, which installs it with npm.")
    if importlib.util.find_spec("jupyterhub") is None:
        return "jupyterhub is not installed: run `make test-hub` (pip install -e '.[hub]')."
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _config(*, proxy: Path, learners: list[str], password: str, homes: Path,
            ports: dict[str, int]) -> str:
    """The text of ``jupyterhub_config.py`` (values inlined with ``repr``)."""
    singleuser = Path(sys.executable).parent / "jupyterhub-singleuser"
    # This spawner runs every server as the hub's own user; as root (CI), jupyter_server asks
    # for --allow-root.
    args = ["--allow-root"] if os.geteuid() == 0 else []
    public, hub, proxy_api = (f"http://127.0.0.1:{ports[name]}"
                              for name in ("public", "hub", "proxy_api"))
    lines = [
        f"c.JupyterHub.bind_url = {public!r}",
        f"c.JupyterHub.hub_bind_url = {hub!r}",
        f"c.ConfigurableHTTPProxy.api_url = {proxy_api!r}",
        f"c.ConfigurableHTTPProxy.command = {[str(proxy)]!r}",
        "c.ConfigurableHTTPProxy.pid_file = 'proxy.pid'",
        "c.JupyterHub.db_url = 'sqlite:///jupyterhub.sqlite'",
        "c.JupyterHub.cookie_secret_file = 'jupyterhub_cookie_secret'",
        "c.JupyterHub.authenticator_class = 'dummy'",
        f"c.DummyAuthenticator.password = {password!r}",
        f"c.Authenticator.allowed_users = {set(learners)!r}",
        "c.JupyterHub.spawner_class = 'simple'",
        f"c.SimpleLocalProcessSpawner.home_dir_template = {str(homes / '{username}')!r}",
        f"c.Spawner.cmd = {[str(singleuser)]!r}",
        f"c.Spawner.args = {args!r}",
        "c.Spawner.ip = '127.0.0.1'",
        f"c.Spawner.start_timeout = {SERVER_START_SECONDS}",
        f"c.Spawner.http_timeout = {SERVER_START_SECONDS}",
    ]
    return "\n".join(lines) + "\n"


class LocalHub:
    """A JupyterHub process with its proxy, configured in and run from ``directory``.

    Parameters
    ----------
    directory : Path
        Empty folder for the configuration, database, logs and the learners' homes.
    proxy : Path
        The ``configurable-http-proxy`` executable.
    learners : list of str
        User names allowed to log in.
    password : str
        The one password of every learner (``DummyAuthenticator``).
    """

    def __init__(self, directory: Path, proxy: Path, learners: list[str], password: str):
        self.directory = directory
        self.homes = directory / "homes"
        self.log = directory / "jupyterhub.log"
        self.ports = {name: free_port() for name in ("public", "hub", "proxy_api")}
        self.url = f"http://127.0.0.1:{self.ports['public']}"
        self.password = password
        config = _config(proxy=proxy, learners=learners, password=password, homes=self.homes,
                         ports=self.ports)
        (directory / "jupyterhub_config.py").write_text(config)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the hub and wait until its API answers through the proxy."""
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", "jupyterhub_config.py"],
                cwd=self.directory, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + HUB_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HubError(f"jupyterhub exited with status {self.process.returncode}:\n"
                               f"{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise HubError(f"jupyterhub did not answer within {HUB_START_SECONDS} s:\n"
                       f"{self.log_tail()}")

    def stop(self) -> None:
        """Stop the hub; on SIGTERM it stops the learners' servers and its proxy first."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def log_tail(self, characters: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-characters:]


class Learner:
    """One learner of ``hub``, logged in over HTTP, then using their own API token."""

    def __init__(self, hub: LocalHub, name: str):
        self.hub = hub
        self.name = name
        self.http = requests.Session()
        self.token: str | None = None

    @property
    def home(self) -> Path:
        return self.hub.homes / self.name

    @property
    def server_url(self) -> str:
        return f"{self.hub.url}/user/{self.name}"

    def log_in(self, password: str) -> requests.Response:
        """Submit the hub's login form; returns the hub's answer (302 on success)."""
        form = self.http.get(f"{self.hub.url}/hub/login", timeout=30)
        form.raise_for_status()
        return self.http.post(
            f"{self.hub.url}/hub/login",
            data={"username": self.name, "password": password,
                  "_xsrf": self.http.cookies.get("_xsrf", "")},
            allow_redirects=False, timeout=30,
        )

    def create_token(self) -> str:
        """An API token of this learner, made with their login cookie (as the hub's token page)."""
        reply = self.http.post(
            f"{self.hub.url}/hub/api/users/{self.name}/tokens",
            json={"note": "make test-hub", "expires_in": 3600},
            headers={"X-XSRFToken": self.http.cookies.get("_xsrf", ""),
                     "Referer": f"{self.hub.url}/hub/token"},
            timeout=30,
        )
        if reply.status_code != 201:
            raise HubError(f"token for {self.name}: {reply.status_code} {reply.text[:300]}")
        self.token = reply.json()["token"]
        return self.token

    def api(self, method: str, url: str, token: str | None = None, **kwargs) -> requests.Response:
        """A request with an API token (this learner's unless ``token`` is given)."""
        headers = {"Authorization": f"token {token or self.token}"}
        return requests.request(method, url, headers=headers, timeout=60, **kwargs)

    def start_server(self) -> None:
        """Ask the hub for this learner's server and wait until it is ready."""
        reply = self.api("POST", f"{self.hub.url}/hub/api/users/{self.name}/server")
        if reply.status_code not in (201, 202):
            raise HubError(f"start {self.name}'s server: {reply.status_code} {reply.text[:300]}")
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            model = self.api("GET", f"{self.hub.url}/hub/api/users/{self.name}").json()
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                return
            if not server.get("pending"):
                raise HubError(f"{self.name}'s server did not start:\n{self.hub.log_tail()}")
            time.sleep(0.5)
        raise HubError(f"{self.name}'s server not ready in {SERVER_START_SECONDS} s:\n"
                       f"{self.hub.log_tail()}")

    def stop_server(self) -> None:
        reply = self.api("DELETE", f"{self.hub.url}/hub/api/users/{self.name}/server")
        if reply.status_code not in (202, 204):
            raise HubError(f"stop {self.name}'s server: {reply.status_code} {reply.text[:300]}")

    def upload(self, notebook, path: str) -> None:
        """Save ``notebook`` as ``path`` in the learner's home, with the server's contents API."""
        reply = self.api("PUT", f"{self.server_url}/api/contents/{path}",
                         json={"type": "notebook", "format": "json", "content": notebook})
        if reply.status_code not in (200, 201):
            raise HubError(f"save {path} for {self.name}: {reply.status_code} {reply.text[:300]}")

    def download(self, path: str):
        reply = self.api("GET", f"{self.server_url}/api/contents/{path}", params={"content": 1})
        if reply.status_code != 200:
            raise HubError(f"open {path} for {self.name}: {reply.status_code} {reply.text[:300]}")
        return nbformat.from_dict(reply.json()["content"])

    def run_notebook(self, path: str) -> nbformat.NotebookNode:
        """Run every code cell of the learner's ``path`` in a new kernel, top to bottom.

        The kernel is started with the sessions API (in the notebook's folder, with the kernel
        the notebook names), and each cell goes over the kernel's websocket through the hub's
        proxy. Returns the notebook with its new outputs and execution counts, not saved.
        """
        notebook = self.download(path)
        kernel_name = notebook.metadata.kernelspec.name
        reply = self.api("POST", f"{self.server_url}/api/sessions",
                         json={"path": path, "type": "notebook", "name": path,
                               "kernel": {"name": kernel_name}})
        if reply.status_code != 201:
            raise HubError(f"start a kernel for {self.name}: {reply.status_code} "
                           f"{reply.text[:300]}")
        session = reply.json()
        client_session = uuid.uuid4().hex
        socket_url = (f"{self.server_url.replace('http://', 'ws://')}/api/kernels/"
                      f"{session['kernel']['id']}/channels?session_id={client_session}")
        connection = websocket.create_connection(
            socket_url, header=[f"Authorization: token {self.token}"], timeout=CELL_SECONDS)
        try:
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    _execute_cell(connection, cell, client_session, self.name)
        finally:
            connection.close()
            self.api("DELETE", f"{self.server_url}/api/sessions/{session['id']}")
        return notebook


def _message(msg_type: str, content: dict, session: str, username: str) -> dict:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session,
              "username": username, "version": "5.3",
              "date": datetime.datetime.now(datetime.UTC).isoformat()}
    return {"header": header, "parent_header": {}, "metadata": {}, "content": content,
            "channel": "shell", "buffers": []}


def _receive(connection) -> dict:
    """The next kernel message of a websocket: a JSON text frame, or a binary frame (a message
    with buffers, such as a widget's, in jupyter_server's offsets-then-parts layout)."""
    frame = connection.recv()
    if isinstance(frame, bytes):
        return deserialize_binary_message(frame)
    return json.loads(frame)


def _execute_cell(connection, cell, session: str, username: str) -> None:
    """Execute one code cell over a kernel websocket; fill its outputs and execution count."""
    request = _message("execute_request", {
        "code": cell.source, "silent": False, "store_history": True, "user_expressions": {},
        "allow_stdin": False, "stop_on_error": True,
    }, session, username)
    connection.send(json.dumps(request))
    cell.outputs, cell.execution_count = [], None
    clear_on_next = False
    replied = idle = False
    while not (replied and idle):
        message = _receive(connection)
        if message.get("parent_header", {}).get("msg_id") != request["header"]["msg_id"]:
            continue
        msg_type, content = message["header"]["msg_type"], message["content"]
        if message["channel"] == "shell" and msg_type == "execute_reply":
            replied = True
            cell.execution_count = content.get("execution_count")
        elif msg_type == "status":
            idle = content["execution_state"] == "idle"
        elif msg_type == "execute_input":
            cell.execution_count = content.get("execution_count")
        elif msg_type == "clear_output":
            if content.get("wait"):
                clear_on_next = True
            else:
                cell.outputs = []
        elif msg_type in OUTPUT_MESSAGES:
            if clear_on_next:
                cell.outputs, clear_on_next = [], False
            cell.outputs.append(nbformat.v4.output_from_msg(message))
