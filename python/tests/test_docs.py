"""What users copy runs as written: README's Python section, and the example, which writes its
figure."""
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def readme_python_blocks():
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readme_python_section_runs_as_written(tmp_path, monkeypatch):
    blocks = readme_python_blocks()
    assert blocks, "README's Python section has no python block"
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_the_example_writes_its_figure(tmp_path):
    figure = tmp_path / "w_in.png"
    result = subprocess.run(
        [sys.executable, str(ROOT / "python/examples/read_a_trained_net.py"), "--vocab", "256",
         "--k", "2", "--width", "24", "--steps", "300", "--out", str(figure)],
        capture_output=True, text=True, env=dict(os.environ, TQDM_DISABLE="1"))
    assert result.returncode == 0, result.stderr
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "hash bits per token" in result.stdout and f"wrote {figure}" in result.stdout
