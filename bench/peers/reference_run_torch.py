#!/usr/bin/python3
"""The training issue's reference run written independently in PyTorch, as a cross-check of
bloomnet's trainer: the same network (nn.Linear(V, d) on the k-hot input, ReLU, nn.Linear(d, V),
PyTorch's default initialization, which bloomnet's trainer copies), cross-entropy against the
uniform target on S, Adam (lr 0.01), batch 256, 6000 steps; then the held-out metrics of SPEC
section 5 on 4096 fresh sets. Its own random sets and initialization, so the numbers agree with
bloomnet's in distribution, not bit for bit.

  bench/peers/reference_run_torch.py [--steps N] [--threads T] [--seed S]

Needs python3-torch (scripts/bootstrap.sh --torch).
"""
import argparse
import json
import sys
import time

try:
    import torch
    from torch import nn
except ImportError:
    sys.exit("PyTorch is not installed for /usr/bin/python3: run scripts/bootstrap.sh --torch")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vocab", type=int, default=1024)
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sets", type=int, default=4096)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    V, k, d, B = args.vocab, args.k, args.width, args.batch
    model = nn.Sequential(nn.Linear(V, d), nn.ReLU(), nn.Linear(d, V))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    def sets(n):
        return torch.rand(n, V).topk(k, dim=1).indices  # k distinct tokens, uniform

    def logits(S):
        return model(torch.zeros(S.shape[0], V).scatter_(1, S, 1.0))

    start = time.perf_counter()
    for _ in range(args.steps):
        S = sets(B)
        loss = -torch.log_softmax(logits(S), dim=1).gather(1, S).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - start

    with torch.no_grad():
        S = sets(args.sets)
        z = logits(S)
        p = torch.softmax(z, dim=1)
        q = torch.zeros_like(p).scatter_(1, S, 1.0 / k)
        member_min = z.gather(1, S).min(dim=1).values
        reaching = (z >= member_min[:, None]).sum(dim=1) - k
        positive = z >= z.max(dim=1, keepdim=True).values - torch.log(torch.tensor(2.0))
        recall = positive.gather(1, S).float().mean(dim=1)
    print(json.dumps({
        "V": V, "k": k, "d": d, "steps": args.steps, "seconds": seconds,
        "mse": ((p - q) ** 2).sum(dim=1).mean().item(),
        "ce": -(torch.log_softmax(z, dim=1).gather(1, S).mean(dim=1)).mean().item(),
        "topk_exact": (reaching == 0).float().mean().item(),
        "false_positives_mean": reaching.float().mean().item(),
        "recall": recall.mean().item()}, indent=2))


if __name__ == "__main__":
    main()
