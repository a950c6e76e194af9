"""A real ComfyUI server process for end-to-end tests.

The pack is wired in exactly as a user outside the ComfyUI tree would: through an extra model paths file
whose `custom_nodes` folder holds the pack under an unusual folder name, next to temporary model folders.
The server listens on a free loopback port and is always stopped, even when a test fails.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

MODEL_FOLDERS = ("diffusion_models", "text_encoders", "vae", "clip_vision", "loras", "latent_upscale_models",
                 "upscale_models")
# Dashes, underscores, dots and capitals: the pack must work under any folder name inside custom_nodes/.
# (No space: ComfyUI serves WEB_DIRECTORY through an aiohttp static route, and aiohttp never matches a
# route prefix containing a space, so no pack's web files load from such a folder.)
PACK_FOLDER_NAME = "StoryCore-Advanced_Workflows.test"
# The test-only node pack (test conditioning, sampling faults, probes), loaded next to the pack.
TEST_PACK = Path(__file__).resolve().parent / "storycore_test_nodes"


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ComfyUIServer:
    def __init__(self, comfyui_path: Path, pack_path: Path, workdir: Path, python: str = sys.executable):
        self.comfyui_path = comfyui_path
        self.pack_path = pack_path
        self.workdir = workdir
        self.python = python
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.models_dir = workdir / "models"
        self.log_path = workdir / "comfyui.log"
        self.process: subprocess.Popen | None = None
        self.extra_args: list[str] = []  # more ComfyUI arguments (e.g. --front-end-root for another frontend)

    def model_folder(self, kind: str) -> Path:
        return self.models_dir / kind

    # --- lifecycle -------------------------------------------------------------------------------------
    def prepare(self) -> Path:
        custom_nodes = self.workdir / "custom_nodes"
        custom_nodes.mkdir(parents=True, exist_ok=True)
        link = custom_nodes / PACK_FOLDER_NAME
        if not link.exists():
            link.symlink_to(self.pack_path, target_is_directory=True)
        test_link = custom_nodes / TEST_PACK.name
        if not test_link.exists():
            test_link.symlink_to(TEST_PACK, target_is_directory=True)
        for kind in MODEL_FOLDERS:
            self.model_folder(kind).mkdir(parents=True, exist_ok=True)
        for sub in ("user", "input", "output", "temp"):
            (self.workdir / sub).mkdir(exist_ok=True)
        config = self.workdir / "extra_model_paths.yaml"
        lines = ["storycore_test:", f"  base_path: {json.dumps(str(self.workdir))}",
                 "  custom_nodes: custom_nodes"]
        lines += [f"  {kind}: models/{kind}" for kind in MODEL_FOLDERS]
        config.write_text("\n".join(lines) + "\n")
        return config

    def start(self, timeout: float = 180.0) -> None:
        config = self.prepare()
        command = [
            self.python, "main.py", "--cpu", "--listen", "127.0.0.1", "--port", str(self.port),
            "--extra-model-paths-config", str(config),
            # Only this pack: whatever else sits in the checkout's custom_nodes/ stays out of the test.
            "--disable-all-custom-nodes", "--whitelist-custom-nodes", PACK_FOLDER_NAME, TEST_PACK.name,
            "--database-url", "sqlite:///:memory:",
            "--user-directory", str(self.workdir / "user"),
            "--input-directory", str(self.workdir / "input"),
            "--output-directory", str(self.workdir / "output"),
            "--temp-directory", str(self.workdir / "temp"),
            *self.extra_args,
        ]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, cwd=self.comfyui_path, stdout=self._log,
                                        stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"ComfyUI exited with code {self.process.returncode} while starting:\n"
                                  f"{self.log_tail()}")
            try:
                self.get("/system_stats", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.5)
        self.stop()
        raise ServerError(f"ComfyUI did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=15)
        self._log.close()
        self.process = None

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def restart(self, timeout: float = 180.0) -> None:
        """Stop and start again on the same folders (user directory included)."""
        self.stop()
        self.start(timeout)

    def interrupt(self) -> None:
        request = urllib.request.Request(self.base_url + "/interrupt", data=b"{}",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30):
            pass

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    # --- HTTP ------------------------------------------------------------------------------------------
    def get(self, route: str, timeout: float = 30):
        with urllib.request.urlopen(self.base_url + route, timeout=timeout) as response:
            body = response.read()
            return json.loads(body) if body else None

    def get_raw(self, route: str, timeout: float = 30) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base_url + route, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def post_json(self, route: str, body: dict, timeout: float = 30) -> tuple[int, dict]:
        """POST `body` as JSON; returns (HTTP status, JSON answer), error statuses included."""
        request = urllib.request.Request(self.base_url + route, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def submit(self, prompt: dict) -> tuple[int, dict]:
        """POST an API prompt; returns (HTTP status, JSON body). Validation errors come back as 400."""
        return self.post_json("/prompt", {"prompt": prompt, "client_id": uuid.uuid4().hex})

    def wait_for(self, prompt_id: str, timeout: float = 300) -> dict:
        """Poll /history until the prompt has finished; returns its history entry."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            history = self.get(f"/history/{prompt_id}")
            entry = history.get(prompt_id) if history else None
            if entry and entry.get("status", {}).get("completed") is not None and (
                    entry["status"].get("status_str") in ("success", "error")):
                return entry
            if self.process is None or self.process.poll() is not None:
                raise ServerError(f"ComfyUI died while running prompt {prompt_id}:\n{self.log_tail()}")
            time.sleep(0.2)
        raise ServerError(f"prompt {prompt_id} did not finish within {timeout:.0f} s:\n{self.log_tail()}")

    def run(self, prompt: dict, timeout: float = 300) -> dict:
        """Submit and wait; raises if the prompt was rejected at validation."""
        status, body = self.submit(prompt)
        if status != 200:
            raise ServerError(f"prompt rejected with HTTP {status}: {json.dumps(body)[:2000]}")
        return self.wait_for(body["prompt_id"], timeout)


def execution_error(entry: dict) -> dict | None:
    """The `execution_error` message of a finished history entry, or None."""
    for name, data in entry.get("status", {}).get("messages", []):
        if name == "execution_error":
            return data
    return None
