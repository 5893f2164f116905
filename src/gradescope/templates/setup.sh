#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image
# (not for every submission). Written by `sockspec gradescope bundle` for
# the assignment @ASSIGNMENT_NAME@.
#
# It installs what the assignment's programs need from Ubuntu's packages
# (read from the commands of the assignment file), then the sockspec
# binary shipped beside this script. Nothing else is downloaded, now or at
# grading time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends @PACKAGES@

bash "$here/install_sockspec.sh"
