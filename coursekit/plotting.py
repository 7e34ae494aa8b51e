"""Plots the lessons share: learning curves, capacity curves, weight histograms, decision boundaries.

Each function draws on a matplotlib ``Axes`` (a new figure when none is given) and returns it,
so a notebook can combine panels. Nothing here shows or saves a figure by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else plt.subplots()[1]


def plot_learning_curves(
    history: Mapping[str, Sequence[float]], metric: str = "loss", *, ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Training and validation ``metric`` per epoch, from a Keras ``History.history`` dict.

    Parameters
    ----------
    history : mapping
        Per-epoch lists, e.g. ``{"loss": [...], "val_loss": [...]}``.
    metric : str, default="loss"
        Key to plot; ``"val_" + metric`` is drawn too when present. The best validation epoch
        is marked.
    """
    ax = _axes(ax)
    epochs = np.arange(1, len(history[metric]) + 1)
    ax.plot(epochs, history[metric], label=f"training {metric}")
    validation = history.get(f"val_{metric}")
    if validation is not None:
        ax.plot(epochs, validation, label=f"validation {metric}")
        pick = np.argmin if "loss" in metric or "error" in metric else np.argmax
        best = int(pick(validation))
        ax.axvline(best + 1, color="grey", linestyle=":", label=f"best validation epoch ({best + 1})")
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.set_title(title or f"Learning curves ({metric})")
    ax.legend()
    return ax


def plot_capacity_curve(
    capacities: Sequence[float], train_errors: Sequence[float], val_errors: Sequence[float], *,
    xlabel: str = "capacity", ylabel: str = "error", log_y: bool = False, ax: Axes | None = None,
) -> Axes:
    """Training and validation error against a capacity knob; the validation minimum is marked."""
    ax = _axes(ax)
    ax.plot(capacities, train_errors, "o-", label="training")
    ax.plot(capacities, val_errors, "s-", label="validation")
    best = int(np.argmin(val_errors))
    ax.plot(capacities[best], val_errors[best], "k*", markersize=14, label="best on validation")
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax


def plot_weight_histograms(
    weights: Mapping[str, np.ndarray], *, bins: int = 50, ax: Axes | None = None
) -> Axes:
    """Overlaid histograms of flattened weight arrays, one per named model."""
    ax = _axes(ax)
    for name, values in weights.items():
        ax.hist(np.ravel(values), bins=bins, alpha=0.5, label=name)
    ax.set_xlabel("weight value")
    ax.set_ylabel("count")
    ax.legend()
    return ax


@dataclass(frozen=True)
class ProbabilityMap:
    """P(class 1) over a grid of the input plane, computed once and drawn many times.

    Attributes
    ----------
    grid0, grid1 : ndarray of shape (resolution, resolution)
        The grid's coordinates (``np.meshgrid``).
    proba : ndarray of shape (resolution, resolution)
        P(class 1) at each grid point.
    """

    grid0: np.ndarray
    grid1: np.ndarray
    proba: np.ndarray


def probability_map(
    predict_proba: Callable[[np.ndarray], np.ndarray], X: np.ndarray, resolution: int = 150
) -> ProbabilityMap:
    """Evaluate ``predict_proba`` on the grid :func:`plot_decision_boundary` shades.

    Parameters
    ----------
    predict_proba : callable
        Maps an array of shape (m, 2) to probabilities of shape (m,) or (m, 2).
    X : ndarray of shape (n, 2)
        The points the grid covers, with a margin of 0.5 on every side.
    resolution : int, default=150
        Grid points per axis.

    Returns
    -------
    ProbabilityMap
        Pass it to :func:`plot_decision_boundary` in place of ``predict_proba`` (a slider that
        caches it redraws without evaluating the model again).
    """
    margin = 0.5
    x0 = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, resolution)
    x1 = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, resolution)
    grid0, grid1 = np.meshgrid(x0, x1)
    plane = np.column_stack([grid0.ravel(), grid1.ravel()]).astype(X.dtype)
    proba = np.asarray(predict_proba(plane))
    proba = (proba[:, 1] if proba.ndim == 2 else proba).reshape(grid0.shape)
    return ProbabilityMap(grid0, grid1, proba)


def plot_decision_boundary(
    predict_proba: Callable[[np.ndarray], np.ndarray] | ProbabilityMap, X: np.ndarray,
    y: np.ndarray, *, ax: Axes | None = None, resolution: int = 150, title: str | None = None,
    colorbar: bool = False,
) -> Axes:
    """Shade the predicted probability of class 1 over a 2-D input plane and draw the points.

    The background is a light red-blue map of P(class 1), with the 0.5 contour in black; the
    points are drawn in saturated colours with black edges (class 0 as blue circles, class 1
    as red triangles), so that they stand out from the background.

    Parameters
    ----------
    predict_proba : callable or ProbabilityMap
        Maps an array of shape (m, 2) to probabilities of shape (m,) or (m, 2); or a map
        already computed with :func:`probability_map` (then ``resolution`` is not used).
    X : ndarray of shape (n, 2)
    y : ndarray of shape (n,)
        Labels in {0, 1}.
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    resolution : int, default=150
        Grid points per axis.
    title : str, optional
    colorbar : bool, default=False
        Add a colour bar labelled "P(class 1)" beside ``ax``.
    """
    ax = _axes(ax)
    surface = (
        predict_proba
        if isinstance(predict_proba, ProbabilityMap)
        else probability_map(predict_proba, X, resolution)
    )
    grid0, grid1, proba = surface.grid0, surface.grid1, surface.proba
    shading = ax.contourf(grid0, grid1, proba, levels=np.linspace(0, 1, 21), cmap="RdBu_r",
                          vmin=0, vmax=1, alpha=0.3)
    ax.contour(grid0, grid1, proba, levels=[0.5], colors="k")
    for label, marker, color in [(0, "o", "#0b3c8c"), (1, "^", "#c0141e")]:
        ax.scatter(X[y == label, 0], X[y == label, 1], marker=marker, c=color, edgecolors="k",
                   linewidths=0.8, s=30, label=f"class {label}")
    if colorbar:
        ax.figure.colorbar(shading, ax=ax, label="P(class 1)", ticks=[0, 0.25, 0.5, 0.75, 1])
    if title:
        ax.set_title(title)
    return ax


def show_digits(images: np.ndarray, labels: Sequence | None = None, *, n_columns: int = 10):
    """A grid of small grey images (shape (n, h, w)) with optional titles; returns the figure."""
    n_rows = int(np.ceil(len(images) / n_columns))
    figure, axes = plt.subplots(n_rows, n_columns, figsize=(n_columns * 0.8, n_rows * 0.9))
    for index, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if index < len(images):
            ax.imshow(images[index], cmap="gray_r", vmin=0, vmax=1)
            if labels is not None:
                ax.set_title(str(labels[index]), fontsize=9)
    return figure


def plot_reliability_diagram(
    confidence: np.ndarray, accuracy: np.ndarray, counts: np.ndarray, *, ax: Axes | None = None,
    title: str | None = None, color: str = "C0",
) -> Axes:
    """Reliability diagram: accuracy per confidence bin against the diagonal of perfect calibration.

    Parameters
    ----------
    confidence, accuracy, counts : ndarray of shape (n_bins,)
        Mean confidence, accuracy and number of samples of each equal-width bin of ``[0, 1]``,
        as returned by :func:`coursekit.reference.label_smoothing.reliability_curve` (pass
        ``*curve``). Empty bins (count 0, NaN statistics) are not drawn.
    color : str, default="C0"
        Colour of the accuracy bars.

    Bars below the diagonal mean overconfidence (accuracy lower than the confidence), bars above
    it underconfidence. A dot marks each bin's mean confidence at its accuracy.
    """
    ax = _axes(ax)
    n_bins = len(counts)
    width = 1.0 / n_bins
    centers = (np.arange(n_bins) + 0.5) * width
    filled = np.asarray(counts) > 0
    ax.bar(centers[filled], np.asarray(accuracy)[filled], width=width, color=color, alpha=0.6,
           edgecolor="k", label="accuracy in bin")
    ax.plot(np.asarray(confidence)[filled], np.asarray(accuracy)[filled], "ko", markersize=3,
            label="(mean confidence, accuracy)")
    ax.plot([0, 1], [0, 1], "k--", label="perfect calibration")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence (largest predicted probability)")
    ax.set_ylabel("accuracy")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    return ax


def show_image_rows(rows: Mapping[str, np.ndarray], *, vmin: float = 0.0, vmax: float = 1.0):
    """A grid of small grey images, one labelled row per entry of ``rows``; returns the figure.

    Parameters
    ----------
    rows : mapping of str to ndarray of shape (n, height, width) or (n, height, width, 1)
        Row label (e.g. the augmentation applied) to the images shown in that row. Every row
        should hold the same number of images, so that columns line up (same source image).
    vmin, vmax : float, default=0.0 and 1.0
        Grey-scale range; pixels are drawn dark on light (``gray_r``).
    """
    labels = list(rows)
    n_columns = max(len(images) for images in rows.values())
    figure, axes = plt.subplots(
        len(labels), n_columns, figsize=(1.2 + 0.75 * n_columns, 0.8 * len(labels)), squeeze=False
    )
    for row, label in enumerate(labels):
        images = np.asarray(rows[label])
        for column in range(n_columns):
            ax = axes[row, column]
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if column < len(images):
                ax.imshow(np.squeeze(images[column]), cmap="gray_r", vmin=vmin, vmax=vmax)
        axes[row, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    return figure
