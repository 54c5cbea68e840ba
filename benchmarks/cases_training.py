"""Training steps as PyTorch users write them, rgrad vs PyTorch CPU: one step of an MLP with
SGD and with AdamW, a small CNN, a transformer encoder block, and a DataLoader epoch.

Each step is the whole loop body: zero_grad, forward, loss, backward, optimizer step. The
same code runs on both libraries (``m`` is rgrad or torch), from the same seeded NumPy data.
"""

import numpy as np
from harness import Case


def _mlp_step(opt_name):
    def setup(lib):
        if lib == "numpy":
            return None
        m = __import__(lib)
        nn, F = m.nn, m.nn.functional
        rng = np.random.default_rng(0)
        m.manual_seed(0)
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
        x = m.tensor(rng.standard_normal((64, 784)).astype(np.float32))
        y = m.tensor(rng.integers(0, 10, 64))
        opt = m.optim.SGD(model.parameters(), lr=0.01) if opt_name == "sgd" else m.optim.AdamW(model.parameters(), lr=1e-3)

        def step():
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()

        return step

    return setup


def _cnn_step(lib):
    if lib == "numpy":
        return None
    m = __import__(lib)
    nn, F = m.nn, m.nn.functional
    rng = np.random.default_rng(0)
    m.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 13 * 13, 10))
    x = m.tensor(rng.standard_normal((64, 1, 28, 28)).astype(np.float32))
    y = m.tensor(rng.integers(0, 10, 64))
    opt = m.optim.SGD(model.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    return step


def _transformer_step(lib):
    if lib == "numpy":
        return None
    m = __import__(lib)
    rng = np.random.default_rng(0)
    m.manual_seed(0)
    block = m.nn.TransformerEncoderLayer(64, 4, dim_feedforward=256, dropout=0.0, batch_first=True)
    x = m.tensor(rng.standard_normal((16, 64, 64)).astype(np.float32))
    opt = m.optim.AdamW(block.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        block(x).pow(2).mean().backward()
        opt.step()

    return step


def _dataloader_epoch(lib):
    if lib == "numpy":
        return None
    m = __import__(lib)
    rng = np.random.default_rng(0)
    x = m.tensor(rng.standard_normal((60000, 784)).astype(np.float32))
    y = m.tensor(rng.integers(0, 10, 60000))
    data = m.utils.data
    g = m.Generator()
    g.manual_seed(0)
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=64, shuffle=True, generator=g)

    def epoch():
        for xb, yb in loader:
            pass

    return epoch


CASES = [
    Case("train: MLP 784-256-10 SGD step (b64)", _mlp_step("sgd"), target="<= 1.0x torch"),
    Case("train: MLP 784-256-10 AdamW step (b64)", _mlp_step("adamw"), target="<= 1.0x torch"),
    Case("train: Conv2d(1,16,3)+pool+Linear step", _cnn_step, target="<= 1.0x torch"),
    Case("train: transformer block E64 H4 L64 b16", _transformer_step, target="<= 1.0x torch"),
    Case("train: DataLoader epoch 60000x784 b64", _dataloader_epoch, target="<= 1.0x torch"),
]
