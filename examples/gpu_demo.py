"""rgrad on the GPU: a Mandelbrot picture computed with tensor ops, and one small training loop
timed on the CPU and on the GPU.

    python examples/gpu_demo.py [--out mandelbrot.png] [--size 480x360] [--iters 80] [--device gpu]

The picture: every pixel is a complex number c; z <- z^2 + c is iterated on whole tensors
(real and imaginary parts as two float32 tensors), and each pixel records how many steps it
took to escape. The colours come from that count. Everything runs on the device; one readback
at the end writes the PNG (with Python's zlib, no imaging library needed).

The training loop: the same MLP classifier trained for a few hundred steps on each device,
printing each one's time. On a real GPU the GPU wins for large layers; on lavapipe (a Vulkan
driver that runs on the CPU, what CI uses) it is slower, but it is still the GPU code path.
"""

import argparse
import struct
import time
import zlib

import rgrad
import rgrad.nn as nn
import rgrad.nn.functional as F


def mandelbrot(width, height, iters, device):
    """Escape counts (height, width) int32 of the Mandelbrot set over [-2.2, 1] x [-1.2, 1.2]."""
    xs = rgrad.linspace(-2.2, 1.0, width, device=device)
    ys = rgrad.linspace(-1.2, 1.2, height, device=device)
    cr = xs.expand(height, width)
    ci = ys.unsqueeze(1).expand(height, width)
    zr = rgrad.zeros(height, width, device=device)
    zi = rgrad.zeros(height, width, device=device)
    count = rgrad.zeros(height, width, dtype=rgrad.int32, device=device)
    for _ in range(iters):
        zr, zi = zr * zr - zi * zi + cr, 2 * zr * zi + ci
        inside = (zr * zr + zi * zi) <= 4.0
        count += inside.int()
        # escaped points stop growing (and never overflow to inf)
        zr = rgrad.where(inside, zr, 2.0)
        zi = rgrad.where(inside, zi, 0.0)
    return count


def colours(count, iters):
    """(height, width, 3) uint8-valued int32 RGB from escape counts, on the count's device."""
    t = count.float() / iters
    inside = count >= iters
    r = (9 * (1 - t) * t * t * t * 255).clamp(0, 255)
    g = (15 * (1 - t) * (1 - t) * t * t * 255).clamp(0, 255)
    b = (8.5 * (1 - t) * (1 - t) * (1 - t) * t * 255).clamp(0, 255)
    rgb = rgrad.stack([r, g, b], dim=-1)
    rgb = rgb.masked_fill(inside.unsqueeze(-1), 0.0)
    return rgb.to(rgrad.int32)


def write_png(path, rgb):
    """Writes a (height, width, 3) tensor of 0..255 values as an 8-bit RGB PNG."""
    h, w, _ = rgb.shape
    data = bytes(rgb.cpu().to(rgrad.int32).flatten().tolist())
    raw = b"".join(b"\x00" + data[y * w * 3:(y + 1) * w * 3] for y in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def train(device, steps, hidden=256):
    """Seconds for `steps` Adam steps of an MLP on a fixed synthetic problem, and the last loss."""
    rgrad.manual_seed(0)
    x = rgrad.randn(512, 32).to(device)
    y = (x[:, :4].sum(1) > 0).long().to(device)
    model = nn.Sequential(nn.Linear(32, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 2)).to(device)
    opt = rgrad.optim.Adam(model.parameters(), lr=1e-3)
    rgrad.gpu.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    last = loss.item()  # reads back, so the GPU's queue is done
    return time.perf_counter() - start, last


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="mandelbrot.png")
    ap.add_argument("--size", default="480x360", help="WIDTHxHEIGHT of the picture")
    ap.add_argument("--iters", type=int, default=80)
    ap.add_argument("--steps", type=int, default=200, help="training steps per device")
    ap.add_argument("--device", default="gpu" if rgrad.gpu.is_available() else "cpu")
    args = ap.parse_args(argv)
    if args.device.startswith("gpu") and not rgrad.gpu.is_available():
        raise SystemExit(f"no GPU is usable: {rgrad.gpu.why_unavailable()}")
    width, height = (int(v) for v in args.size.lower().split("x"))
    if args.device.startswith("gpu"):
        print(f"GPU: {rgrad.gpu.get_device_name()}")

    start = time.perf_counter()
    count = mandelbrot(width, height, args.iters, args.device)
    write_png(args.out, colours(count, args.iters))
    print(f"mandelbrot {width}x{height}, {args.iters} iterations on {args.device}: {time.perf_counter() - start:.2f} s -> {args.out}")

    for dev in ["cpu"] + ([args.device] if args.device != "cpu" else []):
        secs, loss = train(dev, args.steps)
        print(f"training {args.steps} steps on {dev}: {secs:.2f} s, final loss {loss:.4f}")


if __name__ == "__main__":
    main()
