/* The print layout in the small API (tests, embedding): see 45-print.js. */
window.citymap.printLayout = printLayout;
window.citymap.endPrint = endPrint;
