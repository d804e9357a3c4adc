# outplace-golden: no-findings
import numpy as np


class Dataset:
    def __init__(self, n):
        self.data = np.zeros(n)

    def set(self, i, value, batch, frame):
        self.data[i] = value
        self.data += 1
        batch.data[0] = value  # batch could be anything
        frame.data += 1
