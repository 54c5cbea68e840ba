"""How rgrad was built and what it runs on, as ``torch.__config__``.

``rgrad.__config__.show()`` returns the description (a str); ``rgrad.show_config()`` prints it,
as ``numpy.show_config()`` does. ``parallel_info()`` describes the threads.
"""

from . import _rgrad

__all__ = ["show", "parallel_info", "show_config"]


def _threads_source(c):
    for var in ("RGRAD_NUM_THREADS", "OMP_NUM_THREADS"):
        if c[var]:
            return f"{var}={c[var]} at start"
    return f"the {c['logical_cpus']} CPUs this process may use"


def show():
    """A description of this build of rgrad and the CPU it runs on (a str): CPU model and
    features, the instruction set the kernels use (and the one detected), threads, matrix
    product backend, build profile."""
    c = _rgrad._config()
    if c["isa_env"]:
        cap = f"; RGRAD_CPU_ISA={c['isa_env']}"
    else:
        cap = "; RGRAD_CPU_ISA not set"
    lines = [
        f"rgrad {c['version']}",
        f"  - build: profile '{c['profile']}' (opt-level {c['opt_level']}{', debug assertions' if c['debug_assertions'] else ''}), {c['rustc']}",
        f"  - target {c['target']}, compiled for its baseline ({c['target_features']}); faster kernels are chosen at run time",
        f"  - CPU: {c['cpu_model']} ({c['logical_cpus']} logical CPUs)",
        f"  - CPU features: {' '.join(c['cpu_flags']) or '-'}",
        f"  - CPU instruction set in use: {c['isa_description']} (detected: {c['isa_detected']}{cap})",
        f"  - threads: {c['num_threads']} (started from {_threads_source(c)}; rgrad.set_num_threads changes it)",
        f"  - matrix products: {c['gemm']}; their micro-kernels: {c['gemm_kernels']} (chosen by the crates from CPUID, not capped by RGRAD_CPU_ISA)",
    ]
    return "\n".join(lines) + "\n"


def parallel_info():
    """The thread settings (a str), as ``torch.__config__.parallel_info()``."""
    c = _rgrad._config()
    env = "\n".join(f"\t{v} : {c[v] if c[v] is not None else '[not set]'}" for v in ("RGRAD_NUM_THREADS", "OMP_NUM_THREADS"))
    return (
        "rgrad parallel backend: rayon thread pool (one per thread count)\n"
        f"\trgrad.get_num_threads() : {c['num_threads']}\n"
        f"\tlogical CPUs : {c['logical_cpus']}\n"
        f"Environment variables:\n{env}\n"
    )


def show_config():
    """Prints ``rgrad.__config__.show()`` (as ``numpy.show_config()``): the build, the CPU, the
    instruction set in use, the thread count and the matrix-product kernels. It varies by machine:

    >>> rgrad.show_config()  # doctest: +ELLIPSIS
    rgrad ...
    """
    print(show(), end="")
