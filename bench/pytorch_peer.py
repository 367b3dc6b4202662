#!/usr/bin/env python3
"""PyTorch eager and scipy peer of `ganflow bench --only gans|flows|images|metrics` (issue 20): the same models, batches and step
structure, timed the same way (marginal rates: a run of N steps and one of 2N, N over the difference), and scipy's 1-D
distances on the same samples' sizes, printed as the same `name = value unit` lines, so that
`dotnet fsi build.fsx -t BenchPeer` can set the two side by side.

How to run it fairly (one intra-op thread on both sides, OpenBLAS, not Debian's reference BLAS):

    apt-get install --no-install-recommends python3-torch python3-numpy python3-scipy  # PyTorch 1.13, scipy 1.10 (Debian 12)
    apt-get download libopenblas0-pthread && dpkg-deb -x libopenblas0-pthread_*.deb /tmp/openblas
    LD_LIBRARY_PATH=/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread /usr/bin/python3 bench/pytorch_peer.py [--steps 100]

Debian's python3-torch links the reference BLAS by default (about 3 GFLOP/s sgemm, 30x slower than OpenBLAS); the
`LD_LIBRARY_PATH` above puts OpenBLAS's libblas.so.3 first. `build.fsx -t BenchPeer` does all of this itself.

What each row mirrors (src/GanFlow.Runtime/Training/ModelTrainer.cs, experiments/Seed000Table2.fs, Gan.WganGp,
Flow.realNvpMoons):
  * a GAN generator step = CriticSteps critic updates, each on a fresh data batch drawn on the CPU (seed 000's blends)
    and a generator batch drawn without gradient, then one generator update on a fresh latent batch; Adam(lr, 0.5, 0.9);
  * the unimodal baseline: 1-D prior, generator and critic MLP 64x1 ReLU, spectral norm on every critic layer (one
    power iteration per forward), no penalty, 10 critic steps, Adam 1e-3;
  * the multimodal baseline: 5-D prior, 128x3 ReLU, gradient penalty 1, 5 critic steps, Adam 1e-3;
  * the demo: 1-D prior, 64x2 ReLU, gradient penalty 10, 5 critic steps, Adam 1e-4;
  * RealNVP on moons, float64: 6 affine couplings, s- and t-nets 2-128-128-2 LeakyReLU(0.01), tanh on s, alternating
    masks, standard Gaussian base, maximum likelihood on fresh batches, Adam(1e-4, 0.9, 0.999);
  * OT-Flow on moons, float64 (`otflow_timer`, src/GanFlow.Runtime/Flows/OtFlowModule.cs): the potential's gradient and
    exact Hessian trace written out by hand as the tool does, RK4 with 4 steps over the four states (x, log |det|,
    transport cost, HJB residual), loss 1 C + 10 NLL + 5 R, autograd through the solver, Adam(1e-2, 0.9, 0.999);
  * seed 003's VAE at batch 64 (`vae_timer`; the only image row the peer has);
  * the metrics (src/GanFlow.Cli/BenchCommand.fs `metrics`): scipy.stats.wasserstein_distance and energy_distance on n
    vs n draws of seed 000's unimodal blend, n = 10,000 and 100,000, median of 5 calls after one warm-up. scipy's
    energy_distance is the square root of the tool's (sqrt(2 int (F - G)^2) against 2 int (F - G)^2): the same walk,
    the value printed squared in the detail for a check of the units only: the peer's draws are NumPy's, not the
    tool's, so the two values agree to within sampling noise (a few per cent at n = 10,000), not digit for digit.
"""
import argparse
import math
import os
import time

# One thread on both sides: OpenBLAS's own pool too (torch.set_num_threads does not reach an external BLAS's threads).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass


def load():
    try:
        with open("/proc/loadavg") as f:
            parts = f.read().split()
        return "load %s %s %s" % (parts[0], parts[1], parts[2])
    except OSError:
        return "load unknown"


def plain_figure(value):
    """value in plain decimals with at least 4 significant digits, never an exponent (as `ganflow bench` prints)."""
    if not math.isfinite(value) or value == 0:
        return "%g" % value
    decimals = max(0, 3 - math.floor(math.log10(abs(value))))
    return "%.*f" % (min(decimals, 15), value)


def figure(name, value, unit, detail):
    print("%s = %s %s  # %s; %s" % (name, plain_figure(value), unit, detail, load()), flush=True)


def marginal(steps, timed):
    """steps / (t(2 steps) - t(steps)) after a warm-up run of steps / 2; the seconds per step too (NaN when the longer
    run was no slower: noise, not a rate)."""
    timed(max(2, steps // 2))
    short = timed(steps)
    long = timed(2 * steps)
    if long <= short:
        return float("nan"), float("nan")
    seconds = long - short
    return steps / seconds, seconds / steps


# Seed 000's datasets (sec. 2.2): a blend is N(mu, sigma) with probability p, else U(mu - r, mu + r).
def blend(rng, n, mu, sigma, r, p):
    gaussian = rng.random(n) < p
    return np.where(gaussian, rng.normal(mu, sigma, n), rng.uniform(mu - r, mu + r, n))


def unimodal(rng, n):
    return blend(rng, n, 5.0, 0.1, 5.0, 0.75)


def multimodal(rng, n):
    k = rng.integers(1, 9, n)
    gaussian = rng.random(n) < 0.5
    return np.where(gaussian, rng.normal(10.0 * k, 2.0), rng.uniform(10.0 * k - 1.5, 10.0 * k + 1.5))


def moons(rng, n):
    half = n // 2
    outer = rng.uniform(0, math.pi, half)
    inner = rng.uniform(0, math.pi, n - half)
    x = np.concatenate([np.cos(outer), 1 - np.cos(inner)])
    y = np.concatenate([np.sin(outer), 1 - np.sin(inner) - 0.5])
    return np.stack([x, y], 1) + rng.normal(0, 0.05, (n, 2))


def mlp(inputs, width, depth, outputs, spectral=False):
    layers = []
    d = inputs
    for _ in range(depth):
        layers += [nn.Linear(d, width), nn.ReLU()]
        d = width
    layers.append(nn.Linear(d, outputs))
    if spectral:
        layers = [nn.utils.spectral_norm(l, n_power_iterations=1) if isinstance(l, nn.Linear) else l for l in layers]
    return nn.Sequential(*layers)


def gradient_penalty(critic, real, fake):
    eps = torch.rand(real.shape[0], 1)
    x = (fake + eps * (real - fake)).detach().requires_grad_(True)
    scores = critic(x)
    (g,) = torch.autograd.grad(scores.sum(), x, retain_graph=True, create_graph=True)
    return ((g.norm(dim=1) - 1) ** 2).mean()



def timer_of(step):
    """A function that runs `step` n times and returns the seconds it took."""

    def timed(n):
        start = time.perf_counter()
        for _ in range(n):
            step()
        return time.perf_counter() - start

    return timed

def gan_timer(prior, width, depth, spectral, penalty, critic_steps, lr, sampler, batch):
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    generator = mlp(prior, width, depth, 1)
    critic = mlp(1, width, depth, 1, spectral)
    g_opt = torch.optim.Adam(generator.parameters(), lr=lr, betas=(0.5, 0.9))
    c_opt = torch.optim.Adam(critic.parameters(), lr=lr, betas=(0.5, 0.9))

    def step():
        for _ in range(critic_steps):
            real = torch.from_numpy(sampler(rng, batch).astype(np.float32)).unsqueeze(1)
            with torch.no_grad():
                fake = generator(torch.randn(batch, prior))
            c_opt.zero_grad()
            loss = critic(fake).mean() - critic(real).mean()
            if penalty:
                loss = loss + penalty * gradient_penalty(critic, real, fake)
            loss.backward()
            c_opt.step()
            loss.item()
        g_opt.zero_grad()
        loss = -critic(generator(torch.randn(batch, prior))).mean()
        loss.item()
        loss.backward()
        g_opt.step()

    return timer_of(step)


class Coupling(nn.Module):
    def __init__(self, mask, width):
        super().__init__()
        self.register_buffer("mask", mask)
        self.register_buffer("complement", 1 - mask)
        d = mask.numel()

        def net():
            return nn.Sequential(nn.Linear(d, width), nn.LeakyReLU(0.01), nn.Linear(width, width), nn.LeakyReLU(0.01), nn.Linear(width, d))

        self.s, self.t = net(), net()

    def inverse(self, y):
        """data -> latent, with log |det|."""
        kept = y * self.mask
        s = torch.tanh(self.s(kept)) * self.complement
        t = self.t(kept) * self.complement
        x = kept + self.complement * (y - t) * torch.exp(-s)
        return x, -s.sum(1)


def realnvp_timer(batch):
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    masks = [torch.tensor([1.0, 0.0] if i % 2 == 0 else [0.0, 1.0], dtype=torch.float64) for i in range(6)]
    flow = nn.ModuleList([Coupling(m, 128) for m in masks]).double()
    opt = torch.optim.Adam(flow.parameters(), lr=1e-4, betas=(0.9, 0.999))

    def step():
        z = torch.from_numpy(moons(rng, batch))
        logdet = torch.zeros(batch, dtype=torch.float64)
        for layer in reversed(flow):
            z, ld = layer.inverse(z)
            logdet = logdet + ld
        nll = standard_normal_nll(z, logdet)
        opt.zero_grad()
        nll.item()
        nll.backward()
        opt.step()

    return timer_of(step)


def standard_normal_nll(z, logdet):
    """Mean negative log-likelihood in nats of data mapped to z with log |det|, under a standard Gaussian base in 2-D."""
    return -(-0.5 * (z * z).sum(1) - math.log(2 * math.pi) + logdet).mean()


def log_cosh(x):
    a = x.abs()
    return a + nn.functional.softplus(-2.0 * a) - math.log(2.0)


def otflow_timer(batch, width=32, rank=3, steps=4, weights=(1.0, 10.0, 5.0)):
    """Seed 003's OT-Flow on moons (Flow.otFlowMoons): Phi(s) = w'N(s) + 1/2 s'(A'A)s + b's + c, s = (x, t),
    N(s) = u1, u0 = logcosh(K0 s + b0), u1 = u0 + logcosh(K1 u0 + b1); dx/dt = -grad_x Phi; m = 32, r = 3 (1,229
    parameters); the tool's initialisation (Linear defaults, w = 1, A Xavier-uniform, b = c = 0)."""
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    d = 2
    d1 = d + 1
    f64 = dict(dtype=torch.float64)

    def uniform(shape, bound):
        return nn.Parameter((torch.rand(*shape, **f64) * 2 - 1) * bound)

    K0, b0 = uniform((width, d1), 1 / math.sqrt(d1)), uniform((width,), 1 / math.sqrt(d1))
    K1, b1 = uniform((width, width), 1 / math.sqrt(width)), uniform((width,), 1 / math.sqrt(width))
    w = nn.Parameter(torch.ones(width, **f64))
    A = uniform((rank, d1), math.sqrt(6.0 / (rank + d1)))
    b = nn.Parameter(torch.zeros(d1, **f64))
    c = nn.Parameter(torch.zeros(1, **f64))
    parameters = [K0, b0, K1, b1, w, A, b, c]
    opt = torch.optim.Adam(parameters, lr=1e-2, betas=(0.9, 0.999))

    def gradient_and_laplacian(x, t):
        s = torch.cat([x, torch.full((x.shape[0], 1), t, **f64)], 1)
        z1 = s @ K0.t() + b0
        tanh1 = torch.tanh(z1)
        u0 = log_cosh(z1)
        z2 = u0 @ K1.t() + b1
        tanh2 = torch.tanh(z2)
        a0 = w + (tanh2 * w) @ K1
        symmetric = A.t() @ A
        gradient = (tanh1 * a0) @ K0 + s @ symmetric + b
        E = K0[:, :d]
        term0 = ((1 - tanh1 ** 2) * a0) @ (E ** 2).sum(1)
        n, m = s.shape[0], K1.shape[0]
        Jt = ((tanh1.unsqueeze(1) * E.t().unsqueeze(0)).reshape(n * d, m) @ K1.t()).reshape(n, d, m)  # J transposed, one gemm
        term1 = ((1 - tanh2 ** 2) * w * (Jt ** 2).sum(1)).sum(1)
        return gradient, term0 + term1 + symmetric[:d, :d].diagonal().sum()

    def dynamics(t, state):
        gradient, laplacian = gradient_and_laplacian(state[0], t)
        gx = gradient[:, :d]
        kinetic = 0.5 * (gx ** 2).sum(1)
        return [-gx, -laplacian, kinetic, (gradient[:, d] - kinetic).abs()]

    def step():
        x = torch.from_numpy(moons(rng, batch))
        zero = torch.zeros(batch, **f64)
        y, h = [x, zero, zero, zero], 1.0 / steps
        for k in range(steps):
            t = k * h
            k1 = dynamics(t, y)
            k2 = dynamics(t + h / 2, [a + h / 2 * e for a, e in zip(y, k1)])
            k3 = dynamics(t + h / 2, [a + h / 2 * e for a, e in zip(y, k2)])
            k4 = dynamics(t + h, [a + h * e for a, e in zip(y, k3)])
            y = [a + h / 6 * (e1 + 2 * e2 + 2 * e3 + e4) for a, e1, e2, e3, e4 in zip(y, k1, k2, k3, k4)]
        z, logdet, transport, hjb = y
        nll = standard_normal_nll(z, logdet)
        loss = weights[0] * transport.mean() + weights[1] * nll + weights[2] * hjb.mean()
        opt.zero_grad()
        loss.item()
        loss.backward()
        opt.step()

    return timer_of(step)


def vae_timer(batch):
    """Seed 003's VAE (experiments/Seed003Mnist.fs `vae`): conv encoder 1-32-64 (4x4 stride-2 convolutions, ReLU) to the
mean and log-variance of a 2-D latent (45,924 weights); conv generator 2 -> 64x7x7 (linear, batch norm, ReLU) -> 32x14x14
(transposed conv, batch norm, ReLU) -> 1x28x28 logits (42,913 weights); Bernoulli likelihood, one-sample ELBO with the
KL in closed form, mean over the batch; Adam(1e-3, 0.9, 0.999, weight decay 1e-5). The data: 2,048 random 28x28 byte
images / 255 (as `ganflow bench --only images` uses), a batch of random indices each step."""
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    images = torch.from_numpy(rng.integers(0, 256, (2048, 1, 28, 28)).astype(np.float32) / 255.0)
    encoder = nn.Sequential(nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(), nn.Flatten())
    mean, log_variance = nn.Linear(64 * 7 * 7, 2), nn.Linear(64 * 7 * 7, 2)
    project = nn.Linear(2, 64 * 7 * 7)
    decoder = nn.Sequential(nn.BatchNorm2d(64), nn.ReLU(), nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.BatchNorm2d(32), nn.ReLU(),
                            nn.ConvTranspose2d(32, 1, 4, 2, 1))
    modules = nn.ModuleList([encoder, mean, log_variance, project, decoder])
    opt = torch.optim.Adam(modules.parameters(), lr=1e-3, betas=(0.9, 0.999), weight_decay=1e-5)

    def step():
        x = images[torch.from_numpy(rng.integers(0, 2048, batch))]
        h = encoder(x)
        mu, logvar = mean(h), log_variance(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = decoder(project(z).view(-1, 64, 7, 7))
        reconstruction = nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
        kl = 0.5 * (mu * mu + torch.exp(logvar) - logvar - 1).sum(1)
        loss = (reconstruction + kl).mean()
        opt.zero_grad()
        loss.item()
        loss.backward()
        opt.step()

    return timer_of(step)


def median_milliseconds(repeats, action):
    """Median wall milliseconds of `repeats` calls after one warm-up call (the tool's `medianMilliseconds`)."""
    action()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(1000.0 * (time.perf_counter() - start))
    return sorted(times)[repeats // 2]


def metrics():
    from scipy import stats
    for n in [10_000, 100_000]:
        rng = np.random.default_rng(n)
        x = np.asarray(unimodal(rng, n), dtype=np.float64)
        y = np.asarray(unimodal(rng, n), dtype=np.float64)
        name = lambda metric: "bench.metrics.%s_1d_%dk" % (metric, n // 1000)
        figure(name("w1"), median_milliseconds(5, lambda: stats.wasserstein_distance(x, y)), "ms", "scipy.stats.wasserstein_distance")
        value = stats.energy_distance(x, y)
        figure(name("energy"), median_milliseconds(5, lambda: stats.energy_distance(x, y)), "ms",
               "scipy.stats.energy_distance; squared %.6g (NumPy's draws: the tool's value agrees to sampling noise only)" % (value * value))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100, help="generator steps of the shorter GAN run (default 100)")
    parser.add_argument("--flow-steps", type=int, default=40, help="steps of the shorter flow run (default 40)")
    parser.add_argument("--image-steps", type=int, default=50, help="steps of the VAE's shorter run (default 50, as the tool's)")
    parser.add_argument("--only", choices=["gans", "flows", "images", "metrics"], help="one group only")
    parser.add_argument("--onednn", choices=["on", "off"], default="on",
                        help="oneDNN (mkldnn) convolutions: on as PyTorch runs out of the box (default), off as the tool runs "
                             "(src/GanFlow.Runtime/Devices/CpuKernels.cs: libtorch's own kernels)")
    args = parser.parse_args()
    torch.backends.mkldnn.enabled = args.onednn == "on"
    print("PyTorch %s eager, %d intra-op thread(s), BLAS from LD_LIBRARY_PATH=%s, GLIBC_TUNABLES=%s, oneDNN %s"
          % (torch.__version__, torch.get_num_threads(), os.environ.get("LD_LIBRARY_PATH", ""),
             os.environ.get("GLIBC_TUNABLES", "(glibc's defaults)"), "on" if torch.backends.mkldnn.enabled else "off"), flush=True)
    if args.only in (None, "gans"):
        rows = [("table2_unimodal_baseline", "SN 64x1, 10 critic steps", (1, 64, 1, True, 0.0, 10, 1e-3, unimodal), [512, 2048]),
                ("table2_multimodal_baseline", "GP 128x3, 5 critic steps", (5, 128, 3, False, 1.0, 5, 1e-3, multimodal), [512, 2048]),
                ("demo_wgan_gp", "GP 64x2, 5 critic steps", (1, 64, 2, False, 10.0, 5, 1e-4, unimodal), [256, 2048])]
        for name, detail, spec, batches in rows:
            for batch in batches:
                rate, per_step = marginal(args.steps, gan_timer(*spec, batch))
                figure("bench.gans.%s.batch_%d" % (name, batch), rate, "generator_steps/s", "%s, batch %d (PyTorch)" % (detail, batch))
                if name == "table2_unimodal_baseline" and batch == 2048:
                    figure("bench.gans.paper_scale_small_trial.seconds_per_generator_step", per_step, "s", "the unimodal baseline at batch 2,048 (PyTorch)")
    if args.only in (None, "flows"):
        for batch in [256, 2048]:
            rate, _ = marginal(args.flow_steps, realnvp_timer(batch))
            figure("bench.flows.moons_realnvp.batch_%d" % batch, rate, "steps/s", "RealNVP, 205,848 parameters, float64, batch %d (PyTorch)" % batch)
        rate, _ = marginal(args.flow_steps, otflow_timer(256))
        figure("bench.flows.moons_otflow.batch_256", rate, "steps/s", "OT-Flow, 1,229 parameters, float64, batch 256 (PyTorch)")
    if args.only in (None, "images"):
        rate, _ = marginal(args.image_steps, vae_timer(64))
        figure("bench.images.seed003_vae.batch_64", rate, "steps/s", "seed 003's VAE, batch 64 (PyTorch)")
    if args.only in (None, "metrics"):
        metrics()


if __name__ == "__main__":
    main()
