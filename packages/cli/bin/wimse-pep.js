#!/usr/bin/env node
// Entry point of the published `wimse-pep` command; the implementation is built into dist/.
import '../dist/main.js';
