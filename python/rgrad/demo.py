"""Train a small network on handwritten digits: ``python -m rgrad.demo``.

The data are the 1,797 8x8 digits shipped with rgrad (``rgrad.datasets.load_digits``, UCI,
CC BY 4.0): 80% train, 20% held out. The loop is the one a PyTorch user writes: a model
from ``rgrad.nn``, a ``DataLoader``, cross entropy, ``backward()``, an optimizer step.

Options: ``--model mlp|cnn``, ``--epochs N``, ``--device cpu|gpu``, ``--plot curves.png``
(matplotlib), ``--save model.safetensors``, ``--load model.safetensors``, ``--seed``.
Progress bars need tqdm and the plot matplotlib (``pip install "rgrad[demo]"``); without
them the demo still trains and says what it skipped. (The tour of tensors and autograd
that this command used to print is ``python -m rgrad.tour``.)
"""

import argparse
import sys
import time

import rgrad
from rgrad import nn
from rgrad.datasets import load_digits
from rgrad.utils.data import DataLoader, TensorDataset, random_split

DEFAULT_EPOCHS = {"mlp": 20, "cnn": 15}


def build_model(kind):
    """The network: a two-layer MLP on the 64 pixels, or a small CNN on the 1x8x8 image."""
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 16 x 4 x 4
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 32 x 2 x 2
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10),
    )


def evaluate(model, images, labels):
    """(mean cross entropy, accuracy) of ``model`` on a whole split, without gradients."""
    model.eval()
    with rgrad.no_grad():
        logits = model(images)
        loss = nn.functional.cross_entropy(logits, labels).item()
        acc = (logits.argmax(1) == labels).float().mean().item()
    model.train()
    return loss, acc


def _progress(iterable, desc, enabled):
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, leave=True, ncols=90)


def _have(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="python -m rgrad.demo", description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=["mlp", "cnn"], default="mlp", help="network to train (default: mlp)")
    ap.add_argument("--epochs", type=int, default=None, help="epochs (default: 20 for mlp, 15 for cnn)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=None, help="Adam learning rate (default: 1e-2 mlp, 5e-3 cnn)")
    ap.add_argument("--device", choices=["cpu", "gpu"], default="cpu")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--plot", metavar="PNG", help="save loss and accuracy curves (needs matplotlib)")
    ap.add_argument("--save", metavar="FILE", help="save the trained weights (safetensors)")
    ap.add_argument("--load", metavar="FILE", help="start from weights saved with --save")
    ap.add_argument("--quiet", action="store_true", help="no progress bars or per-epoch lines")
    return ap.parse_args(argv)


def main(argv=None):
    """Runs the demo; returns a dict with the final test accuracy and the per-epoch history."""
    args = parse_args(argv)
    epochs = DEFAULT_EPOCHS[args.model] if args.epochs is None else args.epochs
    lr = args.lr if args.lr is not None else (1e-2 if args.model == "mlp" else 5e-3)
    previous = rgrad.get_default_device()
    try:
        rgrad.set_default_device(args.device)
    except RuntimeError as e:
        sys.exit(f"rgrad.demo: --device {args.device}: {e}")
    try:
        return _train(args, epochs, lr)
    finally:
        # main() may be called from other code (the tests do): leave its default device as it was
        rgrad.set_default_device(previous)


def _train(args, epochs, lr):
    show_bars = not args.quiet and _have("tqdm")
    say = (lambda *a: None) if args.quiet else print
    if not args.quiet and not show_bars:
        say('tqdm is not installed: progress bars skipped (pip install "rgrad[demo]" to see them)')
    rgrad.manual_seed(args.seed)
    images, labels = load_digits()
    images = images.unsqueeze(1).to(args.device)  # (N, 1, 8, 8), on the device trained on
    labels = labels.to(args.device)
    split = rgrad.Generator()
    split.manual_seed(args.seed)
    train_set, test_set = random_split(TensorDataset(images, labels), [0.8, 0.2], generator=split)
    test_x, test_y = images[test_set.indices], labels[test_set.indices]
    shuffle = rgrad.Generator()
    shuffle.manual_seed(args.seed + 1)
    loader = DataLoader(TensorDataset(images[train_set.indices], labels[train_set.indices]),
                        batch_size=args.batch_size, shuffle=True, generator=shuffle)

    model = build_model(args.model)
    if args.load:
        model.load_state_dict(rgrad.load(args.load))
        say(f"loaded weights from {args.load}")
    optimizer = rgrad.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    say(f"training a {args.model.upper()} on {args.device}, on {len(train_set)} digits, testing on {len(test_set)} "
        f"({sum(p.numel() for p in model.parameters())} parameters, {epochs} epochs)")

    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        total, correct, loss_sum = 0, 0, 0.0
        bar = _progress(loader, f"epoch {epoch:2d}/{epochs}", show_bars)
        for x, y in bar:
            logits = model(x)
            loss = loss_fn(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            n = y.shape[0]
            total += n
            loss_sum += loss.item() * n
            correct += int((logits.argmax(1) == y).sum())
            if show_bars:
                bar.set_postfix(loss=f"{loss_sum / total:.3f}", acc=f"{correct / total:.3f}", refresh=False)
        test_loss, test_acc = evaluate(model, test_x, test_y)
        history["train_loss"].append(loss_sum / total)
        history["train_acc"].append(correct / total)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
        if show_bars:
            bar.close()
            say(f"           test loss {test_loss:.3f}  test accuracy {test_acc:.3f}")
        else:
            say(f"epoch {epoch:2d}/{epochs}  loss {loss_sum / total:.3f}  acc {correct / total:.3f}  "
                f"test loss {test_loss:.3f}  test acc {test_acc:.3f}")
    elapsed = time.perf_counter() - start
    test_loss, test_acc = evaluate(model, test_x, test_y)
    say(f"held-out test accuracy: {test_acc:.3f} ({int(round(test_acc * len(test_set)))}/{len(test_set)}) "
        f"after {epochs} epochs in {elapsed:.1f} s")

    if args.save:
        rgrad.save(model.state_dict(), args.save)
        say(f"saved weights to {args.save}")
    if args.plot:
        if _have("matplotlib"):
            _plot(history, args.plot, args.model)
            say(f"saved loss and accuracy curves to {args.plot}")
        else:
            say(f'matplotlib is not installed: --plot {args.plot} skipped (pip install "rgrad[demo]")')
    return {"test_accuracy": test_acc, "test_loss": test_loss, "history": history, "seconds": elapsed, "model": model}


def _plot(history, path, kind):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(epochs, history["train_loss"], label="train")
    ax1.plot(epochs, history["test_loss"], label="test")
    ax1.xaxis.get_major_locator().set_params(integer=True)
    ax2.xaxis.get_major_locator().set_params(integer=True)
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("cross entropy")
    ax1.legend()
    ax2.plot(epochs, history["train_acc"], label="train")
    ax2.plot(epochs, history["test_acc"], label="test")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("accuracy")
    ax2.legend()
    fig.suptitle(f"rgrad: {kind.upper()} on 8x8 digits")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    main()
