#!/usr/bin/python3
"""Train a small network on the k-sparse task, read it as a Bloom filter, and draw what it
learned: W_in of the first tokens (each row a token's hash: a few entries in the hash mode, the
rest in the background mode) and the histogram of all of W_in with its two modes marked.

    PYTHONPATH=build/release/python python/examples/read_a_trained_net.py --out w_in.png
"""
import argparse

import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.pyplot as plt  # noqa: E402

import bloomnet  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", type=int, default=512, help="vocabulary size V")
    parser.add_argument("--k", type=int, default=4, help="set size k")
    parser.add_argument("--width", type=int, default=48, help="hidden width d")
    parser.add_argument("--steps", type=int, default=4000, help="training steps")
    parser.add_argument("--out", default="read_a_trained_net.png", help="the figure to write")
    args = parser.parse_args()

    net = bloomnet.train(V=args.vocab, k=args.k, d=args.width, steps=args.steps, loss="ce2mse",
                         schedule="cosine", eval_every=0)
    reading = bloomnet.compare(net, k=args.k, sets=4096)
    print(f"held-out eps {net.training_log[-1]['mse']:.3g}; "
          f"{reading['snap_fraction']:.0%} of W_in within 10% of its two modes; "
          f"{reading['hash_count_mean']:.2f} hash bits per token "
          f"(a random filter's optimum {reading['hash_count_optimum']:.2f}); "
          f"form {reading['form']}; the hidden layer matches the union bits "
          f"{reading['union_accuracy']:.1%} of the time")

    figure, (heatmap, histogram) = plt.subplots(1, 2, figsize=(11, 4))
    tokens = min(64, net.V)
    image = heatmap.imshow(net.W_in[:tokens], aspect="auto", cmap="coolwarm")
    heatmap.set(title=f"W_in of the first {tokens} tokens", xlabel="hidden unit j",
                ylabel="token t")
    figure.colorbar(image, ax=heatmap)
    counts = reading["w_in_histogram"]["counts"]
    lo, hi = reading["w_in_histogram"]["lo"], reading["w_in_histogram"]["hi"]
    edges = [lo + (hi - lo) * i / len(counts) for i in range(len(counts) + 1)]
    histogram.stairs(counts, edges, fill=True)
    histogram.set_yscale("log")
    for name, value in reading["modes"].items():
        histogram.axvline(value, color="black", linestyle="--")
        histogram.annotate(f" {name}", (value, histogram.get_ylim()[1] * 0.3))
    histogram.set(title="All of W_in: two modes", xlabel="weight", ylabel="entries")
    figure.suptitle(f"V={net.V}, k={args.k}, d={net.d}, {args.steps} steps")
    figure.tight_layout()
    figure.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
