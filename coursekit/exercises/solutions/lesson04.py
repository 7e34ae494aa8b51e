"""Solutions of lesson 04 (early stopping: the stopping rule, a loop that restores the best)."""


def early_stopping_epoch(val_losses, patience=0, min_delta=0.0):
    best, best_epoch, wait = float(val_losses[0]), 0, 0
    for epoch, value in enumerate(val_losses):
        if epoch == 0:
            continue
        if float(value) < best - min_delta:
            best, best_epoch, wait = float(value), epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return None, best_epoch


def fit_with_early_stopping(weights, step, val_loss, max_epochs, patience, restore_best_weights=True):
    weights = weights.copy()
    best, best_weights, wait, n_epochs = None, weights.copy(), 0, 0
    for _ in range(max_epochs):
        step(weights)
        n_epochs += 1
        loss = val_loss(weights)
        if best is None or loss < best:
            best, best_weights, wait = loss, weights.copy(), 0
        else:
            wait += 1
            if wait >= patience:
                break
    if restore_best_weights:
        return best_weights, n_epochs
    return weights, n_epochs
