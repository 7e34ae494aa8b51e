"""The pieces of ``hub_session.py`` that ``test_hub.py`` relies on, without starting a hub."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import hub_session
import nbformat
import pytest
from hub_session import _config, _execute_cell, missing_requirement
from jupyter_server.services.kernels.connection.base import serialize_binary_message
from traitlets.config import Config


def test_a_machine_without_node_is_told_why_the_hub_test_is_skipped(monkeypatch, tmp_path):
    monkeypatch.setattr(hub_session.shutil, "which", lambda name: None)
    reason = missing_requirement(tmp_path / "configurable-http-proxy")
    assert reason is not None and reason.startswith("node is not installed")


def test_a_missing_proxy_is_told_with_the_command_that_installs_it(monkeypatch, tmp_path):
    monkeypatch.setattr(hub_session.shutil, "which", lambda name: "/usr/bin/node")
    proxy = tmp_path / "hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"
    reason = missing_requirement(proxy)
    assert reason is not None and "make test-hub" in reason and str(tmp_path / "hub-node") in reason


def _load(text: str) -> Config:
    c = Config()
    exec(compile(text, "jupyterhub_config.py", "exec"), {"c": c})
    return c


def test_the_hub_config_uses_the_dummy_authenticator_and_per_learner_homes(tmp_path):
    ports = {"public": 8001, "hub": 8002, "proxy_api": 8003}
    c = _load(_config(proxy=Path("/x/chp"), learners=["ada", "alan"], password="pw",
                      homes=tmp_path, ports=ports))
    assert c.JupyterHub.authenticator_class == "dummy"
    assert c.DummyAuthenticator.password == "pw"
    assert c.Authenticator.allowed_users == {"ada", "alan"}
    assert c.JupyterHub.spawner_class == "simple"
    home = c.SimpleLocalProcessSpawner.home_dir_template.format(username="ada")
    assert home == str(tmp_path / "ada")
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8001"
    assert c.ConfigurableHTTPProxy.command == ["/x/chp"]
    assert ("--allow-root" in c.Spawner.args) == (os.geteuid() == 0)


class _FakeKernelSocket:
    """Answers one execute_request with a scripted list of (channel, type, content) replies."""

    def __init__(self, replies, binary: tuple[str, ...] = ()):
        self.replies = replies
        self.binary = binary
        self.queue: list[str | bytes] = []

    def send(self, text: str) -> None:
        request = json.loads(text)
        other = {"msg_id": uuid.uuid4().hex}
        # A message of another request comes first: it must be ignored.
        stray = self._message("iopub", "stream", {"name": "stdout", "text": "x"}, other)
        self.queue.append(json.dumps(stray))
        for channel, msg_type, content in self.replies:
            reply = self._message(channel, msg_type, content, request["header"])
            if msg_type in self.binary:
                reply["buffers"] = [b"\x00\xff binary"]
                self.queue.append(serialize_binary_message(reply))
            else:
                self.queue.append(json.dumps(reply))

    @staticmethod
    def _message(channel, msg_type, content, parent):
        return {"channel": channel, "header": {"msg_type": msg_type, "msg_id": uuid.uuid4().hex},
                "parent_header": parent, "content": content, "metadata": {}}

    def recv(self) -> str:
        return self.queue.pop(0)


def test_a_cell_gets_its_own_outputs_and_count_and_honours_clear_output_wait():
    socket = _FakeKernelSocket([
        ("iopub", "status", {"execution_state": "busy"}),
        ("iopub", "execute_input", {"execution_count": 7, "code": ""}),
        ("iopub", "stream", {"name": "stdout", "text": "first\n"}),
        ("iopub", "clear_output", {"wait": True}),
        ("iopub", "stream", {"name": "stdout", "text": "second\n"}),
        ("iopub", "execute_result",
         {"execution_count": 7, "data": {"text/plain": "42"}, "metadata": {}}),
        ("shell", "execute_reply", {"status": "ok", "execution_count": 7}),
        ("iopub", "status", {"execution_state": "idle"}),
    ])
    cell = nbformat.v4.new_code_cell("print('second'); 42")
    _execute_cell(socket, cell, "session", "ada")
    assert cell.execution_count == 7
    assert [output.output_type for output in cell.outputs] == ["stream", "execute_result"]
    assert cell.outputs[0].text == "second\n"
    assert socket.queue == []


def test_an_error_in_a_cell_is_kept_as_an_error_output():
    socket = _FakeKernelSocket([
        ("iopub", "error",
         {"ename": "ValueError", "evalue": "bad", "traceback": ["ValueError: bad"]}),
        ("iopub", "status", {"execution_state": "idle"}),
        ("shell", "execute_reply", {"status": "error", "execution_count": 1}),
    ])
    cell = nbformat.v4.new_code_cell("raise ValueError('bad')")
    _execute_cell(socket, cell, "session", "ada")
    kept = [(output.output_type, output.ename) for output in cell.outputs]
    assert kept == [("error", "ValueError")]


def test_a_message_with_buffers_in_a_binary_frame_is_read_too():
    # ipywidgets send comm messages with binary buffers; the server frames them as bytes.
    socket = _FakeKernelSocket([
        ("iopub", "comm_msg", {"comm_id": "w", "data": {"method": "update"}}),
        ("iopub", "display_data", {"data": {"text/plain": "a widget"}, "metadata": {}}),
        ("shell", "execute_reply", {"status": "ok", "execution_count": 3}),
        ("iopub", "status", {"execution_state": "idle"}),
    ], binary=("comm_msg", "display_data"))
    cell = nbformat.v4.new_code_cell("widget")
    _execute_cell(socket, cell, "session", "ada")
    assert [output.data["text/plain"] for output in cell.outputs] == ["a widget"]
    assert cell.execution_count == 3


@pytest.mark.parametrize("missing", ["execute_reply", "status"])
def test_a_cell_is_not_done_before_both_its_reply_and_idle_status(missing):
    replies = [("shell", "execute_reply", {"status": "ok", "execution_count": 1}),
               ("iopub", "status", {"execution_state": "idle"})]
    socket = _FakeKernelSocket([reply for reply in replies if reply[1] != missing])
    with pytest.raises(IndexError):
        _execute_cell(socket, nbformat.v4.new_code_cell("1"), "session", "ada")
