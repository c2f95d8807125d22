"""The EM core: Gaussian mixture models in pure NumPy/SciPy.

This subpackage never imports widget or plotting code.
"""

from gmm_widgets.mixture._validation import ConvergenceWarning, NotFittedError
from gmm_widgets.mixture.callbacks import EMState, History, PrintProgress
from gmm_widgets.mixture.gaussian_mixture import GaussianMixture

__all__ = [
    "ConvergenceWarning",
    "EMState",
    "GaussianMixture",
    "History",
    "NotFittedError",
    "PrintProgress",
]
