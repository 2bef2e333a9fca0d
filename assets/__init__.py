"""Static files served by the app (stylesheets, scripts, fonts); a package only so it installs with it."""
