"""The widgets of the main screen. They post messages; the screen acts."""
