"""The parts of ``rgrad.nn.functional``, one file per family; ``nn/functional.py`` gathers them."""
