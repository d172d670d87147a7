# `date`, as a build stamps a file with it
date
