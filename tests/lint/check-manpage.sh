#!/bin/sh
# Every subcommand and option that `appgw --help` lists is in the man page (installer/linux/appgw.1),
# so the two never drift apart.   check-manpage.sh APPGW_BINARY MAN_PAGE
set -eu
appgw=$1
page=$2
text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g; s/\\//g' "$page")
missing=0
for word in $("$appgw" --help | grep -o -- "^  [a-z][a-z ]*[a-z]\|--[a-z-]*" | sed 's/^ *//; s/ /_/g' | sort -u); do
    phrase=$(echo "$word" | tr _ ' ')
    if ! printf '%s\n' "$text" | grep -qF -- "$phrase"; then
        echo "$page does not mention \"$phrase\", which appgw --help lists"
        missing=1
    fi
done
[ "$missing" = 0 ] && echo "every subcommand and option of appgw --help is in $page"
exit "$missing"
