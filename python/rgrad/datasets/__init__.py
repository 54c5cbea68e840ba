"""Small datasets shipped inside rgrad (for the demo and tests).

``load_digits()``: the 1,797 8x8 handwritten digits of the UCI "Optical Recognition of
Handwritten Digits" test set (CC BY 4.0, see ``DIGITS_LICENSE.txt`` beside this file).
"""

import os

import numpy as np

import rgrad

_HERE = os.path.dirname(os.path.abspath(__file__))


def load_digits():
    """``(images, labels)``: images float32 (1797, 8, 8) scaled to [0, 1] (the stored pixels
    are 0..16), labels int64 (1797,) in 0..9."""
    with np.load(os.path.join(_HERE, "digits.npz")) as data:
        images = data["images"].astype(np.float32) / 16.0
        labels = data["labels"].astype(np.int64)
    return rgrad.from_numpy(images), rgrad.from_numpy(labels)
