"""Live explorers: sliders that redraw a plot, with a static fallback for headless runs.

In JupyterLab a learner (or an instructor projecting the notebook) moves the slider and the
figure is redrawn. In a headless execution (nbval, ``make execute``, a static render) the same
drawing function runs once at the default values, so the stored output is one stable figure.

A redraw should take well under 250 ms. When what a figure shows is slow to compute (a model
trained per slider value), split it: ``compute(**values)`` does the slow part and
``draw(result, **values)`` only plots. The :class:`Explorer` caches ``compute`` per slider
position. In a live session an explorer with at most ``MAX_PRECOMPUTE`` positions computes and
renders every position once, before the slider is shown, so a move only swaps in a ready PNG
(rendering alone takes 100–400 ms here); one with more positions redraws on each move, with
``compute`` still cached per position. A headless run computes and draws the default position
alone, so it is no slower than before. ``make bench`` times the moves (:func:`measure_redraws`).
"""

from __future__ import annotations

import io
import itertools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt

from coursekit.display import interactive_frontend

MAX_PRECOMPUTE = 64
"""A live explorer with at most this many slider positions computes them all before it is shown."""


@dataclass(frozen=True)
class Slider:
    """One slider: its default ``value``, range and step, and an optional label.

    An integer slider is made when ``value``, ``min``, ``max`` and ``step`` are all ints.
    """

    value: float
    min: float
    max: float
    step: float
    label: str | None = None

    def __post_init__(self) -> None:
        if not self.min <= self.value <= self.max:
            raise ValueError(
                f"Slider value must lie in [min, max] = [{self.min}, {self.max}], got {self.value!r}."
            )
        if self.step <= 0:
            raise ValueError(f"Slider step must be > 0, got {self.step!r}.")

    @property
    def is_integer(self) -> bool:
        return all(isinstance(v, int) for v in (self.value, self.min, self.max, self.step))

    @property
    def count(self) -> int:
        """Number of positions, ``min``, ``min + step``, ... up to ``max``."""
        return int(round((self.max - self.min) / self.step)) + 1

    def snap(self, value: float) -> float:
        """The position nearest ``value``, as the exact grid value ``min + k * step``.

        A float slider's value comes back from the browser as e.g. ``0.35000000000000003``;
        snapping makes it one cache key and one title.
        """
        if value == self.value:
            return self.value  # the default stays exactly as given, on the grid or not
        k = min(max(int(round((value - self.min) / self.step)), 0), self.count - 1)
        if self.is_integer:
            return self.min + k * self.step
        return round(self.min + k * self.step, 10)

    def positions(self) -> list[float]:
        """Every position of the slider, in order."""
        return [self.snap(self.min + k * self.step) for k in range(self.count)]

    def widget(self, name: str):
        import ipywidgets

        kind = ipywidgets.IntSlider if self.is_integer else ipywidgets.FloatSlider
        return kind(
            value=self.value, min=self.min, max=self.max, step=self.step,
            description=self.label or name, continuous_update=False,
        )


class Explorer:
    """A drawing function, its sliders and the cache of its slow part.

    Parameters
    ----------
    draw : callable
        ``draw(**values)``, or ``draw(result, **values)`` when ``compute`` is given: draws one
        figure.
    sliders : dict of str to Slider
        One slider per keyword argument.
    compute : callable, optional
        ``compute(**values) -> result``: the slow part of a redraw, called at most once per
        slider position (the result is cached).

    Attributes
    ----------
    computed : int
        Number of times ``compute`` has run (one per position: the tests read it).
    """

    def __init__(
        self,
        draw: Callable[..., None],
        sliders: dict[str, Slider],
        compute: Callable[..., object] | None = None,
    ) -> None:
        for name, slider in sliders.items():
            if not isinstance(slider, Slider):
                raise TypeError(
                    f"{name} must be a coursekit.widgets.Slider, got {type(slider).__name__}."
                )
        if compute is not None and not callable(compute):
            raise TypeError(f"compute must be a function, got {type(compute).__name__}.")
        self.draw, self.sliders, self.compute = draw, dict(sliders), compute
        self.computed = 0
        self.rendered = 0
        self._cache: dict[tuple, object] = {}
        self._images: dict[tuple, bytes] = {}

    @property
    def name(self) -> str:
        return getattr(self.draw, "__name__", "draw")

    @property
    def defaults(self) -> dict[str, float]:
        return {name: slider.value for name, slider in self.sliders.items()}

    def snap(self, values: dict[str, float]) -> dict[str, float]:
        """``values`` moved to the sliders' grid; a missing name takes its default."""
        unknown = set(values) - set(self.sliders)
        if unknown:
            raise TypeError(f"{self.name} has no slider named {', '.join(sorted(unknown))}.")
        merged = {**self.defaults, **values}
        return {name: slider.snap(merged[name]) for name, slider in self.sliders.items()}

    def positions(self) -> list[dict[str, float]]:
        """Every combination of slider positions."""
        names = list(self.sliders)
        grids = [self.sliders[name].positions() for name in names]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grids)]

    def result(self, **values: float) -> object:
        """The cached ``compute`` result at ``values`` (computed on first use)."""
        if self.compute is None:
            return None
        snapped = self.snap(values)
        key = tuple(snapped.values())
        if key not in self._cache:
            self._cache[key] = self.compute(**snapped)
            self.computed += 1
        return self._cache[key]

    def prepare(
        self,
        limit: int = MAX_PRECOMPUTE,
        *,
        images: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Compute (and with ``images``, render) every position, when there are at most ``limit``.

        Parameters
        ----------
        limit : int
            Prepare nothing when there are more positions than this.
        images : bool
            Also render each position's PNG (a live session then only swaps pictures).
        progress : callable, optional
            ``progress(done, total)``, called after each position (a live session shows a bar).

        Returns
        -------
        int
            How many positions were computed or rendered now (0 when there are too many, or
            all were done already).
        """
        positions = self.positions()
        if len(positions) > limit or (self.compute is None and not images):
            return 0
        before = self.computed + self.rendered
        for done, values in enumerate(positions, start=1):
            if images:
                self.image(**values)
            else:
                self.result(**values)
            if progress is not None:
                progress(done, len(positions))
        return self.computed + self.rendered - before

    @property
    def prerendered(self) -> bool:
        """Whether every position has its PNG ready (a move then only swaps the image)."""
        return len(self._images) == len(self.positions())

    def image(self, **values: float) -> bytes:
        """The PNG of the figure at ``values``, as the inline backend renders it (cached)."""
        key = tuple(self.snap(values).values())
        if key not in self._images:
            figure = self.redraw(**values)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", bbox_inches="tight")
            plt.close(figure)
            self._images[key] = buffer.getvalue()
            self.rendered += 1
        return self._images[key]

    def redraw(self, **values: float):
        """Draw the figure at ``values`` (snapped to the grid) and return it."""
        snapped = self.snap(values)
        if self.compute is None:
            self.draw(**snapped)
        else:
            self.draw(self.result(**snapped), **snapped)
        return plt.gcf()


_EXPLORERS: dict[str, Explorer] = {}


def explorers() -> list[Explorer]:
    """The explorers shown in this process, one per drawing function (the latest), in order."""
    return list(_EXPLORERS.values())


def explore(
    draw: Callable[..., None],
    *,
    compute: Callable[..., object] | None = None,
    **sliders: Slider,
) -> None:
    """Show ``draw`` with one slider per keyword; headless runs draw once at the defaults.

    Parameters
    ----------
    draw : callable
        Draws one figure from keyword arguments named like the sliders; with ``compute``, it
        takes that result first: ``draw(result, **values)``.
    compute : callable, optional
        The slow part, ``compute(**values) -> result``, cached per slider position. In a live
        session with at most ``MAX_PRECOMPUTE`` positions, every position is computed and
        drawn (to a PNG) before the slider is shown, so a move only swaps in a ready picture;
        with more, a move draws and computes only positions not seen before.
    **sliders : Slider
        ``name=Slider(value, min, max, step)`` for each argument of ``draw``.
    """
    explorer = Explorer(draw, sliders, compute)
    _EXPLORERS[explorer.name] = explorer
    if interactive_frontend():
        import ipywidgets
        from IPython.display import display

        start = time.perf_counter()
        bar = ipywidgets.IntProgress(value=0, min=0, max=len(explorer.positions()),
                                     description="Preparing")
        display(bar)

        def step(done: int, total: int) -> None:
            bar.value = done

        prepared = explorer.prepare(images=True, progress=step)
        bar.close()
        if prepared:
            print(f"Prepared {len(explorer.positions())} slider positions in "
                  f"{time.perf_counter() - start:.1f} s.")
        controls = {name: slider.widget(name) for name, slider in sliders.items()}
        if explorer.prerendered:
            picture = ipywidgets.Image(value=explorer.image(), format="png")

            def swap(change: object) -> None:
                picture.value = explorer.image(**{n: c.value for n, c in controls.items()})

            for control in controls.values():
                control.observe(swap, names="value")
            display(ipywidgets.VBox([*controls.values(), picture]))
            return

        def show(**values: float) -> None:
            explorer.redraw(**values)
            plt.show()

        display(ipywidgets.interactive(show, **controls))
        return
    settings = ", ".join(f"{name} = {value}" for name, value in explorer.defaults.items())
    print(f"Static view at {settings}. Run the notebook in JupyterLab to move the slider.")
    explorer.redraw()
    plt.show()


def _sample_positions(explorer: Explorer, count: int) -> list[dict[str, float]]:
    """``count`` positions spread along every slider at once, away from the default."""
    samples = []
    for index in range(count):
        fraction = (index + 1) / (count + 1)
        samples.append(
            {
                name: slider.snap(slider.min + fraction * (slider.max - slider.min))
                for name, slider in explorer.sliders.items()
            }
        )
    return samples


def _timed(action: Callable[[], object], samples: list, cpu_samples: list) -> None:
    start, cpu_start = time.perf_counter(), time.process_time()
    action()
    samples.append(1000 * (time.perf_counter() - start))
    cpu_samples.append(1000 * (time.process_time() - cpu_start))


def measure_redraws(positions: int = 2, repeats: int = 3) -> dict[str, dict]:
    """Time a slider move of every explorer shown so far, as a live session would see it.

    Each explorer is first prepared as :func:`explore` does in a live session (every
    position computed and rendered when there are at most ``MAX_PRECOMPUTE``). Then, at each
    of ``positions`` positions, ``repeats`` times: a full redraw (``compute`` from its cache,
    ``draw``, PNG rendering as the inline backend does) and a move as the live session makes
    it (the ready PNG when pre-rendered, else that same full redraw).

    Returns
    -------
    dict
        Drawing function name -> ``{"median_ms", "max_ms", "median_cpu_ms"}`` of a live move,
        ``"render_ms"`` (median full redraw), ``"prerendered"`` (bool), ``"prepare_seconds"``
        and ``"positions_prepared"`` (positions made ready before the slider is shown).
        Wall-clock milliseconds, and the process's CPU time, which a machine busy with other
        work inflates less.
    """
    return {explorer.name: _measure(explorer, positions, repeats) for explorer in explorers()}


def _measure(explorer: Explorer, positions: int, repeats: int) -> dict:
    start = time.perf_counter()
    explorer.prepare(images=True)
    prepare_seconds = time.perf_counter() - start
    renders, render_cpu, moves, move_cpu = [], [], [], []

    def render(values: dict) -> None:
        figure = explorer.redraw(**values)
        figure.savefig(io.BytesIO(), format="png", bbox_inches="tight")
        plt.close("all")

    for values in _sample_positions(explorer, positions):
        for _ in range(repeats):
            _timed(lambda: render(values), renders, render_cpu)  # noqa: B023 (called at once)
            if explorer.prerendered:
                _timed(lambda: explorer.image(**values), moves, move_cpu)  # noqa: B023
            else:
                moves.append(renders[-1])
                move_cpu.append(render_cpu[-1])
    return {
        "median_ms": round(statistics.median(moves), 2),
        "max_ms": round(max(moves), 2),
        "median_cpu_ms": round(statistics.median(move_cpu), 2),
        "render_ms": round(statistics.median(renders), 1),
        "prerendered": explorer.prerendered,
        "prepare_seconds": round(prepare_seconds, 2),
        "positions_prepared": len(explorer.positions()) if explorer.prerendered else 0,
    }
