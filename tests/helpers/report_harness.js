// report_harness.js - appended (by report_browser.sh) to a copy of a
// report, at the end of its body: measures every chart as drawn by the
// browser and writes one line the test reads from the dumped DOM:
// "HARNESS charts=N resources=R | i:width:height:drawn:expected ...".
// drawn counts the bars (polygons) or points (<use>) that gnuplot put in
// each plot group, less the one its key draws as a sample.
(function () {
	var out = [];
	var figs = document.querySelectorAll('figure.chart');
	for (var i = 0; i < figs.length; i++) {
		var f = figs[i], svg = f.querySelector('svg');
		var box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
		var drawn = 0;
		var groups = svg ? svg.querySelectorAll('g[id*="gnuplot_plot_"]') : [];
		for (var j = 0; j < groups.length; j++) {
			var n = groups[j].querySelectorAll(f.dataset.kind === 'lines' ? 'use' : 'polygon').length;
			if (n > 0)
				drawn += n - 1;
		}
		out.push(i + ':' + Math.round(box.width) + ':' + Math.round(box.height) + ':' + drawn +
			':' + f.dataset.marks);
	}
	var res = performance.getEntriesByType('resource').length;
	var pre = document.createElement('pre');
	pre.textContent = 'HARNESS charts=' + figs.length + ' resources=' + res + ' | ' + out.join(' ');
	document.body.appendChild(pre);
})();
