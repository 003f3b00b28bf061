#!/usr/bin/python3
"""The nine viridis points core/src/ColourMap.cpp interpolates: matplotlib's 256-entry table at index
round(255 t) for t = 0, 1/8, ..., 1 (Debian 12: apt install python3-matplotlib)."""
import numpy as np
from matplotlib import cm

table = cm.get_cmap("viridis", 256)
for t in np.linspace(0, 1, 9):
    print(f"{t:.3f}", tuple(int(round(c * 255)) for c in table(int(round(t * 255)))[:3]))
