"""Training from Python: the same run as `bloomnet train` bit for bit, the callback, checkpoints,
and Ctrl-C (KeyboardInterrupt, or a real SIGINT) writing a checkpoint whose resumed run ends
exactly as the uninterrupted one."""
import os
import signal

import numpy as np
import pytest

import bloomnet

RUN = dict(V=128, k=2, d=16, steps=60, seed=5, eval_every=20, eval_sets=128, loss="ce2mse",
           schedule="cosine")


def same_weights(a, b):
    for name in ("W_in", "b_in", "W_out", "b_out"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_a_net_trained_from_python_equals_the_clis(cli, tmp_path):
    out = tmp_path / "cli.safetensors"
    printed = cli("train", "--vocab", 128, "--k", 2, "--width", 16, "--steps", 60, "--seed", 5,
                  "--eval-every", 20, "--eval-sets", 128, "--loss", "ce2mse", "--schedule",
                  "cosine", "--out", out)
    ours = bloomnet.train(**RUN, progress=False)
    same_weights(ours, bloomnet.load(str(out)))
    final = ours.training_log[-1]
    assert final["step"] == 60 and final["mse"] == printed["mse"]
    assert ours.metadata["kind"] == "trained"


def test_the_callback_sees_every_step_and_every_evaluation():
    seen = []
    bloomnet.train(**RUN, progress=False, callback=lambda step, metrics: seen.append((step, metrics)))
    assert [step for step, _ in seen] == list(range(1, 61))
    evaluated = [step for step, metrics in seen if "mse" in metrics]
    assert evaluated == [20, 40, 60]
    assert all(np.isfinite(metrics["loss"]) for _, metrics in seen)
    assert seen[0][1]["loss_kind"] == "ce" and seen[-1][1]["loss_kind"] == "mse"


def interrupted_then_resumed(tmp_path, interrupt):
    out = tmp_path / "net.safetensors"
    checkpoint = tmp_path / "net.safetensors.ckpt"

    def stop_at_25(step, metrics):
        if step == 25:
            interrupt()

    with pytest.raises(KeyboardInterrupt):
        bloomnet.train(**RUN, out=out, progress=False, callback=stop_at_25)
    assert checkpoint.exists() and not out.exists()
    return bloomnet.train(**RUN, out=out, resume=checkpoint, progress=False)


def raise_keyboard_interrupt():
    raise KeyboardInterrupt


def test_keyboard_interrupt_checkpoints_and_the_resumed_run_ends_bit_identical(tmp_path):
    resumed = interrupted_then_resumed(tmp_path, raise_keyboard_interrupt)
    same_weights(resumed, bloomnet.train(**RUN, progress=False))


def test_a_real_sigint_behaves_as_in_the_cli(tmp_path):
    resumed = interrupted_then_resumed(tmp_path, lambda: os.kill(os.getpid(), signal.SIGINT))
    uninterrupted = bloomnet.train(**RUN, progress=False)
    same_weights(resumed, uninterrupted)
    assert resumed.training_log[-1]["mse"] == uninterrupted.training_log[-1]["mse"]


def test_an_exception_in_the_callback_propagates_after_the_checkpoint(tmp_path):
    def fail(step, metrics):
        if step == 10:
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        bloomnet.train(**RUN, checkpoint=tmp_path / "run.ckpt", progress=False, callback=fail)
    assert (tmp_path / "run.ckpt").exists()


def test_log_and_threads_do_not_change_the_result(tmp_path):
    log = tmp_path / "log.csv"
    before = bloomnet.threads()
    try:
        bloomnet.set_threads(1)
        one = bloomnet.train(**RUN, log=log, progress=False)
    finally:
        bloomnet.set_threads(before)
    same_weights(one, bloomnet.train(**RUN, progress=False))
    assert log.read_text().splitlines()[0].startswith("step,loss,lr")
    assert len(log.read_text().splitlines()) == 1 + 3


def test_an_exception_at_the_last_step_still_propagates():
    def fail_at_the_end(step, metrics):
        if step == RUN["steps"]:
            raise RuntimeError("the last step")

    with pytest.raises(RuntimeError, match="the last step"):
        bloomnet.train(**RUN, progress=False, callback=fail_at_the_end)
