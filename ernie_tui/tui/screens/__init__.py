"""The app's screens: the main screen, sign-in, and the dialogs."""
