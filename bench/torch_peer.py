#!/usr/bin/python3
"""The Python PyTorch peer of bench_ml's trainingStep/unet_w16: the same GroupNorm/SiLU U-Net (base
width 16, depth 4, 3 -> 3 channels), a batch of 4 tiles of 128 x 128, masked MSE, Adam 1e-3, one step
per iteration. Prints the mean step time in ms as JSON. Run with Debian's python3-torch.
JEZERO_BENCH_DEVICE (cpu, cuda), JEZERO_BENCH_BATCH (4) and JEZERO_BENCH_BF16 (1: bfloat16 autocast on
CUDA, as Jezero trains there) give the GPU peer of tools/gpu-check's training rate."""
import json, os, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def groups(c):
    return 8 if c % 8 == 0 else 4 if c % 4 == 0 else 1


class ConvBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(cin, cout, 3, padding=1), nn.Conv2d(cout, cout, 3, padding=1)
        self.norm1, self.norm2 = nn.GroupNorm(groups(cout), cout), nn.GroupNorm(groups(cout), cout)

    def forward(self, x):
        return F.silu(self.norm2(self.conv2(F.silu(self.norm1(self.conv1(x))))))


class UNet(nn.Module):
    def __init__(self, cin, cout, base, depth):
        super().__init__()
        self.depth, c = depth, cin
        self.down, self.up = nn.ModuleList(), nn.ModuleList()
        for level in range(depth):
            self.down.append(ConvBlock(c, base << level))
            c = base << level
        for level in range(depth - 2, -1, -1):
            self.up.append(ConvBlock(c + (base << level), base << level))
            c = base << level
        self.head = nn.Conv2d(c, cout, 1)

    def forward(self, x):
        skips = []
        for level in range(self.depth):
            if level:
                x = F.max_pool2d(x, 2)
            x = self.down[level](x)
            skips.append(x)
        for i in range(self.depth - 1):
            skip = skips[self.depth - 2 - i]
            x = F.interpolate(x, size=skip.shape[2:], mode="bilinear", align_corners=False)
            x = self.up[i](torch.cat([x, skip], 1))
        return self.head(x)


def main():
    torch.set_num_threads(int(os.environ.get("JEZERO_BENCH_THREADS", os.cpu_count())))
    torch.manual_seed(1)
    device = os.environ.get("JEZERO_BENCH_DEVICE", "cpu")
    batch = int(os.environ.get("JEZERO_BENCH_BATCH", "4"))
    bf16 = device != "cpu" and os.environ.get("JEZERO_BENCH_BF16", "0") == "1"
    torch.backends.cudnn.benchmark = True
    model = UNet(3, 3, 16, 4).to(device)
    adam = torch.optim.Adam(model.parameters(), 1e-3)
    x, y, mask = (t.to(device) for t in (torch.randn(batch, 3, 128, 128), torch.randn(batch, 3, 128, 128), torch.ones(batch, 3, 128, 128)))
    def step():
        adam.zero_grad()
        with torch.autocast("cuda", torch.bfloat16, enabled=bf16):
            out = model(x)
        loss = ((out.float() - y) ** 2 * mask).sum() / mask.sum().clamp_min(1)
        loss.backward()
        adam.step()
        return loss.item()
    for _ in range(3):
        step()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < 3 or n < 5:
        step()
        n += 1
    step_ms = (time.perf_counter() - start) / n * 1000
    print(json.dumps({"torch": torch.__version__, "device": device, "batch": batch, "bf16": bf16, "threads": torch.get_num_threads(),
                      "step_ms": step_ms, "images_per_s": batch / step_ms * 1000}))


if __name__ == "__main__":
    sys.exit(main())
