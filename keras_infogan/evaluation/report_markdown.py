"""report.md: the evaluation report (see `report.evaluate_run`) as readable tables."""

from __future__ import annotations


def markdown_report(report: dict) -> str:
    """Markdown text of a report dict, one column per evaluated run."""
    runs = report["runs"]
    labels = list(runs)
    data = report["data"]
    lines = [
        "# InfoGAN evaluation report", "",
        f"Dataset {data['dataset']}: models and scores on `{data['test_split']}` "
        f"({data['test_images']} images); k-means centres, few-label classifiers and the judge "
        f"are fitted on `{data['train_split']}` ({data['train_images']} images). "
        f"{report['settings']['num_samples']} generated samples per estimate.", "",
        _table(["run"] + labels, [
            ["folder"] + [f"`{runs[label]['folder']}`" for label in labels],
            ["info_weight (G's MI reward)"] + [f"{runs[label]['info_weight']:g}" for label in labels],
            ["Q trains D's trunk"] + ["no (probe)" if runs[label].get("probe") else "yes" for label in labels],
            ["training steps"] + [_steps(runs[label]) for label in labels]]),
    ]
    first = runs[labels[0]]
    lines += _clustering(runs, labels) if "kmeans" in first else []
    lines += _few_label(runs, labels) if "few_label" in first else []
    lines += _information(report, runs, labels)
    lines += _traversal_effects(runs, labels) if "traversal_effects" in first else []
    lines += _sample_quality(runs, labels) if "sample_quality" in first else []
    lines += _pictures(runs, labels) + _skipped(first.get("skipped", {}))
    return "\n".join(lines) + "\n"


def _steps(run: dict) -> str:
    restarts = run.get("restarts")
    if not restarts or run["train_steps"] is None:
        return str(run["train_steps"])
    return (f"{run['train_steps'] + restarts['steps_of_starts']} (best of {restarts['starts']} starts by "
            f"{restarts['criterion']}: seed {restarts['seeds'][restarts['winner']]}; "
            f"{restarts['steps_of_starts']} in the others)")


def _skipped(skipped: dict) -> list[str]:
    if not skipped:
        return []
    return ["", "## Not computed", ""] + [f"- {section.replace('_', ' ')}: {reason}"
                                          for section, reason in skipped.items()]


def _table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def _clustering(runs: dict, labels: list[str]) -> list[str]:
    first = runs[labels[0]]
    methods = [(f"argmax Q({code}\\|x)", lambda run, code=code: run["clustering"][code])
               for code in first.get("clustering", {})]
    methods.append(("k-means++ on D features", lambda run: run["kmeans"]))
    rows = [[f"{name}: {metric}"] + [f"{get(runs[label])[key]:.4f}" for label in labels]
            for name, get in methods for metric, key in (("accuracy", "accuracy"), ("NMI", "nmi"), ("ARI", "ari"))]
    lines = ["", "## Clustering of real test images", "",
             "Accuracy after Hungarian matching of clusters to labels, NMI and ARI.", "",
             _table(["method: metric"] + labels, rows), ""]
    for label in labels:
        for name, get in methods:
            confused = ", ".join(f"{t}→{p}: {c}" for t, p, c in get(runs[label])["most_confused"])
            lines.append(f"- {label}, {name}, most confused (true→predicted: count): {confused}")
    lines.append("")
    for label in labels:
        figures = runs[label]["figures"]
        lines += [f"![{label} {key}]({name})" for key, name in figures.items() if key.startswith("confusion_")]
    return lines


def _few_label(runs: dict, labels: list[str]) -> list[str]:
    first = runs[labels[0]]["few_label"]
    header = ["labels per class"] + [f"D features, {label}" for label in labels] + ["raw pixels"]
    rows = []
    for per_class, results in first.items():
        row = [per_class] + [_mean_std(runs[label]["few_label"][per_class]["features"]) for label in labels]
        rows.append(row + [_mean_std(results["pixels"])])
    draws = len(next(iter(first.values()))["pixels"]["accuracies"])
    return ["", "## Few-label classification", "",
            f"Test accuracy of a logistic regression (standardised inputs) trained on a few labeled "
            f"training images per class: mean ± std over {draws} random labeled sets.", "",
            _table(header, rows)]


def _mean_std(result: dict) -> str:
    return f"{result['mean']:.4f} ± {result['std']:.4f}"


def _traversal_effects(runs: dict, labels: list[str]) -> list[str]:
    rows = []
    for label in labels:
        for code, entry in runs[label].get("traversal_effects", {}).items():
            rows.append([label, code] + [f"{entry[measure]:+.3f}" for measure in ("slant", "width", "ink")])
    return ["", "## What the continuous codes do", "",
            "Spearman rank correlation of each continuous code's value (swept from -2 to 2 with z and the "
            "other codes fixed) with the generated image's slant, width (with the slant taken out) and "
            "ink, from pixel moments; the mean over the sweeps (`keras_infogan.evaluation.traversal_effects`).",
            "", _table(["run", "code", "slant", "width", "ink"], rows)]


def _information(report: dict, runs: dict, labels: list[str]) -> list[str]:
    first = runs[labels[0]]["information"]
    rows = []
    for code, entry in first.items():
        row = [code, f"{entry['entropy']:.4f}"]
        for label in labels:
            info = runs[label]["information"][code]
            recovery = (f"accuracy {info['recovery_accuracy']:.4f}" if "recovery_accuracy" in info
                        else f"R² {info['r2']:.4f}")
            row += [f"{info['lower_bound']:.4f} ± {info['std_error']:.4f}", recovery]
        rows.append(row)
    header = ["code", "H(c) (nats)"]
    for label in labels:
        header += [f"L_I, {label}", f"Q recovers c, {label}"]
    lines = ["", "## Mutual information", "",
             "L_I = E[log Q(c|x)] + H(c) in nats on generated samples (± standard error); "
             "it is a lower bound on I(c; G(z, c)) and at most H(c) for the categorical code. "
             "For continuous codes H(c) is a differential entropy, so the bound says little; "
             "R² of the posterior mean as a predictor of c shows how well Q recovers them.", "",
             _table(header, rows)]
    if "info_curves" in report["figures"]:
        lines += ["", "L_I during training (the paper's Figure 1):", "",
                  f"![L_I over training]({report['figures']['info_curves']})"]
    return lines


def _sample_quality(runs: dict, labels: list[str]) -> list[str]:
    quality = {label: runs[label]["sample_quality"] for label in labels}
    first = quality[labels[0]]
    rows = [["classifier score exp(E KL(p(y\\|x) ‖ p(y)))"] + [f"{quality[l]['classifier_score']:.3f}" for l in labels],
            ["classifier score of real test images"] + [f"{quality[l]['real_classifier_score']:.3f}" for l in labels],
            ["Fréchet distance, generated vs real test"] + [f"{quality[l]['frechet_distance']:.3f}" for l in labels],
            ["Fréchet distance floor, real train vs real test"] + [f"{quality[l]['frechet_floor']:.3f}" for l in labels],
            ["smallest class share (uniform: 0.1)"] + [f"{min(quality[l]['class_shares']):.4f}" for l in labels]]
    shares = [[str(c)] + [f"{quality[l]['class_shares'][c]:.4f}" for l in labels]
              for c in range(len(first["class_shares"]))]
    lines = ["", "## Sample quality (judged by a small MNIST classifier)", "",
             f"The judge is a CNN trained on the labeled training split "
             f"(test accuracy {first['judge_accuracy']:.4f}); Fréchet distances use its penultimate features.", "",
             _table(["metric"] + labels, rows), "", "Share of generated samples per judged class:", "",
             _table(["judged class"] + labels, shares)]
    for code, first_values in first.get("per_value", {}).items():
        rows = [[str(value)] + [_majority(quality[label]["per_value"][code], value) for label in labels]
                for value in range(len(first_values["majority"]))]
        lines += ["", f"The judge's majority class and its purity among samples generated with each value of "
                      f"{code} (a pure, one-to-one code means the code is the digit):", "",
                  _table([f"{code} value"] + [f"{label}: class (purity)" for label in labels], rows)]
    return lines


def _majority(per_value: dict, value: int) -> str:
    purity = per_value["purity"][value]
    return "no samples" if purity is None else f"{per_value['majority'][value]} ({purity:.3f})"


def _pictures(runs: dict, labels: list[str]) -> list[str]:
    lines = ["", "## Latent traversals (the paper's Figure 2)", "",
             "Categorical panels: one column per category, one row per noise vector. "
             "Continuous panels: the code swept from -2 to 2 (the prior is U(-1, 1)), one row per category of the "
             "first categorical code (per noise vector when there is none).", ""]
    for label in labels:
        for key, name in runs[label]["figures"].items():
            if key.startswith("traversal_"):
                lines += [f"**{label}, {key[len('traversal_'):]}**", "", f"![{label} {key}]({name})", ""]
    return lines
