# git init + add + commit of the input tree; the commit's hash and dates, and the index digest
set -e
git init -q repo
cp -r tree repo/
cd repo
git add tree
git -c user.name=det -c user.email=det@example.invalid commit -q -m 'nondeterminism test'
git log --format='%H%n%ad%n%cd'
git rev-parse HEAD
sha256sum .git/index
