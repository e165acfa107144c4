"""Understanding the capture: view, direction, setting, activity, scale, quality."""
