"""A tour of rgrad: run with ``python -m rgrad.tour``.

Follows the NumPy -> PyTorch tutorial: tensors, views, NumPy exchange,
autograd (the dot-product and detach examples) and a small training loop.
"""

import numpy as np

import rgrad


def main():
    print("== tensors ==")
    a = rgrad.tensor([[1, 2, 3], [4, 5, 6]])
    print(a, a.dtype, a.shape, a.dim(), a.numel(), a.device)
    print("view(-1):", a.view(-1))
    print("T:", a.T)
    print("zeros/eye/ones:", rgrad.zeros(2), rgrad.eye(2), rgrad.ones(3, dtype=rgrad.int32))
    print("arange/linspace:", rgrad.arange(0, 10, 3), rgrad.linspace(0, 1, 5))
    rgrad.manual_seed(0)
    print("rand/randint:", rgrad.rand(3), rgrad.randint(0, 10, (4,)))

    print("\n== NumPy exchange ==")
    n = np.arange(4.0)
    t = rgrad.from_numpy(n)
    n[0] = 100.0
    print("from_numpy shares memory:", t)
    print("back to numpy:", (t * 2).numpy())

    print("\n== autograd ==")
    x = rgrad.arange(4.0, requires_grad=True)
    print("initial grad:", x.grad)
    y = 2 * rgrad.dot(x, x)
    y.backward()
    print("grad of 2*x.x:", x.grad)

    x = rgrad.arange(4.0, requires_grad=True)
    (x * x).sum().backward()
    print("grad of sum(x*x):", x.grad)

    x = rgrad.tensor([2.0], requires_grad=True)
    y = x * x
    u = y.detach()
    z = u * x
    z.backward()
    print("detach example (4, not 8):", x.grad)

    print("\n== training loop: fit y = 3x + 2 ==")
    rgrad.manual_seed(1)
    xs = rgrad.rand(64, 1)
    ys = 3 * xs + 2 + 0.01 * rgrad.randn(64, 1)
    w = rgrad.zeros(1, requires_grad=True)
    b = rgrad.zeros(1, requires_grad=True)
    lr = 0.5
    for step in range(300):
        pred = xs * w + b
        loss = ((pred - ys) ** 2).mean()
        loss.backward()
        with rgrad.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        if step % 100 == 0:
            print(f"step {step:3d}  loss {loss.item():.5f}")
    print(f"w = {w.item():.3f}, b = {b.item():.3f}")


if __name__ == "__main__":
    main()
