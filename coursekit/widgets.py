"""Live explorers: sliders that redraw a plot, with a static fallback for headless runs.

In JupyterLab a learner (or an instructor projecting the notebook) moves the slider and the
figure is redrawn. In a headless execution (nbval, ``make execute``, a static render) the same
drawing function runs once at the default values, so the stored output is one stable figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt

from coursekit.display import interactive_frontend


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

    def widget(self, name: str):
        import ipywidgets

        kind = ipywidgets.IntSlider if self.is_integer else ipywidgets.FloatSlider
        return kind(
            value=self.value, min=self.min, max=self.max, step=self.step,
            description=self.label or name, continuous_update=False,
        )


def explore(draw: Callable[..., None], **sliders: Slider) -> None:
    """Show ``draw`` with one slider per keyword; headless runs draw once at the defaults.

    Parameters
    ----------
    draw : callable
        Draws one figure from keyword arguments named like the sliders.
    **sliders : Slider
        ``name=Slider(value, min, max, step)`` for each argument of ``draw``.
    """
    for name, slider in sliders.items():
        if not isinstance(slider, Slider):
            raise TypeError(f"{name} must be a coursekit.widgets.Slider, got {type(slider).__name__}.")
    if interactive_frontend():
        import ipywidgets
        from IPython.display import display

        controls = {name: slider.widget(name) for name, slider in sliders.items()}
        display(ipywidgets.interactive(draw, **controls))
        return
    defaults = {name: slider.value for name, slider in sliders.items()}
    settings = ", ".join(f"{name} = {value}" for name, value in defaults.items())
    print(f"Static view at {settings}. Run the notebook in JupyterLab to move the slider.")
    draw(**defaults)
    plt.show()
