"""Getting data in and out: workbooks and CSV folders under the workbook contract."""
