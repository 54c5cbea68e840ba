"""The training demo (python -m rgrad.demo) end to end: it learns, reaches the advertised
held-out accuracy with its defaults, saves, loads, plots, and says what it skipped.

No timing is asserted; the accuracies are for fixed seeds (the run is deterministic)."""

import os
import subprocess
import sys

import pytest

import rgrad
from rgrad import demo


def test_default_mlp_reaches_95_percent_held_out(capsys):
    result = demo.main(["--quiet"])
    assert result["test_accuracy"] >= 0.95
    assert len(result["history"]["train_loss"]) == demo.DEFAULT_EPOCHS["mlp"]
    assert result["history"]["train_loss"][-1] < result["history"]["train_loss"][0]


def test_cnn_learns_in_a_few_epochs():
    result = demo.main(["--model", "cnn", "--epochs", "3", "--quiet"])
    assert result["test_accuracy"] > 0.6  # chance is 0.1


def test_save_load_and_plot(tmp_path, capsys):
    weights = tmp_path / "model.safetensors"
    first = demo.main(["--epochs", "2", "--save", str(weights), "--plot", str(tmp_path / "curves.png")])
    out = capsys.readouterr().out
    assert "held-out test accuracy" in out and f"saved weights to {weights}" in out
    assert weights.exists()
    if demo._have("matplotlib"):
        assert (tmp_path / "curves.png").stat().st_size > 1000
    again = demo.main(["--epochs", "0", "--load", str(weights), "--quiet"])
    assert again["test_accuracy"] == pytest.approx(first["test_accuracy"])


def test_missing_extras_are_reported(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(demo, "_have", lambda name: False)
    demo.main(["--epochs", "1", "--plot", str(tmp_path / "c.png")])
    out = capsys.readouterr().out
    assert "tqdm is not installed: progress bars skipped" in out
    assert "matplotlib is not installed: --plot" in out and not (tmp_path / "c.png").exists()


def test_gpu_flag_trains_there_or_gives_the_clear_message():
    if not rgrad.gpu.is_available():
        with pytest.raises(SystemExit, match="device 'gpu:0' is not available"):
            demo.main(["--device", "gpu", "--quiet"])
        return
    r = demo.main(["--device", "gpu", "--quiet", "--epochs", "2"])
    assert next(r["model"].parameters()).device == rgrad.device("gpu") and r["test_accuracy"] > 0.5
    assert rgrad.get_default_device() == rgrad.device("cpu")  # main() puts the default back


def test_runs_as_a_module_and_the_tour_moved():
    env = dict(os.environ)
    r = subprocess.run([sys.executable, "-m", "rgrad.demo", "--epochs", "1", "--quiet"], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([sys.executable, "-m", "rgrad.tour"], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and "== autograd ==" in r.stdout


def test_digits_dataset_ships_with_its_licence():
    from rgrad.datasets import load_digits

    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.dtype == rgrad.float32 and 0 <= images.min().item() and images.max().item() == 1.0
    assert sorted(set(labels.tolist())) == list(range(10))
    licence = os.path.join(os.path.dirname(demo.__file__), "datasets", "DIGITS_LICENSE.txt")
    assert "CC BY 4.0" in open(licence).read()
